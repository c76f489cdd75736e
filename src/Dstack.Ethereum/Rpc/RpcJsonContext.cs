using System.Text.Json.Serialization;

namespace Dstack.Ethereum.Rpc;

/// <summary>Source-generated (reflection-free) JSON for the RPC envelope and result shapes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RpcRequest))]
[JsonSerializable(typeof(RpcResponse))]
[JsonSerializable(typeof(RpcReceiptDto))]
[JsonSerializable(typeof(RpcLogDto[]))]
[JsonSerializable(typeof(RpcBlockDto))]
[JsonSerializable(typeof(string))]
internal sealed partial class RpcJsonContext : JsonSerializerContext;

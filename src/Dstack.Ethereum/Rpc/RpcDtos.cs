using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dstack.Ethereum.Rpc;

/// <summary>A JSON-RPC 2.0 request.</summary>
internal sealed record RpcRequest(string Jsonrpc, long Id, string Method, JsonArray Params);

/// <summary>A JSON-RPC 2.0 response.</summary>
internal sealed record RpcResponse(string? Jsonrpc, JsonElement? Id, JsonElement? Result, RpcErrorBody? Error);

/// <summary>The <c>error</c> member of a response.</summary>
internal sealed record RpcErrorBody(long Code, string? Message, JsonElement? Data);

/// <summary>A receipt as the node sends it.</summary>
internal sealed record RpcReceiptDto(
    string TransactionHash,
    string? BlockHash,
    string BlockNumber,
    string? Status,
    string? From,
    string? To,
    string? ContractAddress,
    string? GasUsed,
    string? EffectiveGasPrice,
    RpcLogDto[]? Logs);

/// <summary>A log as the node sends it.</summary>
internal sealed record RpcLogDto(
    string Address,
    string[] Topics,
    string Data,
    string? BlockNumber,
    string? BlockHash,
    string? TransactionHash,
    string? LogIndex,
    bool? Removed);

/// <summary>A block header as the node sends it.</summary>
internal sealed record RpcBlockDto(string Number, string Hash, string Timestamp, string? BaseFeePerGas);

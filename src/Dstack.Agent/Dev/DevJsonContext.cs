using System.Text.Json.Serialization;

namespace Dstack.Agent.Dev;

/// <summary>Source-generated JSON for the files <c>dev</c> writes.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
internal sealed partial class DevJsonContext : JsonSerializerContext;

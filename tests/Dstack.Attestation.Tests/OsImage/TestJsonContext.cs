using System.Text.Json.Serialization;

namespace Dstack.Attestation.Tests.OsImage;

/// <summary>Source-generated JSON for the test strings.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

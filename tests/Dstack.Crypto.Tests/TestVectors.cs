using System.Text.Json;
using Dstack.Tests;

namespace Dstack.Crypto.Tests;

/// <summary>Reads <c>shared/spec/test-vectors.json</c> and <c>shared/fixtures/simulator-appkeys.json</c>.</summary>
internal static class TestVectors
{
    private static readonly Lazy<JsonDocument> Vectors = new(() => JsonDocument.Parse(File.ReadAllBytes(SharedFiles.Spec("test-vectors.json"))));
    private static readonly Lazy<JsonDocument> AppKeysDocument = new(() => JsonDocument.Parse(SharedFiles.ReadFixture("simulator-appkeys.json")));

    public static JsonElement Root => Vectors.Value.RootElement;

    public static JsonElement AppKeys => AppKeysDocument.Value.RootElement;

    public static byte[] SimulatorK256Key => Hex(AppKeys.GetProperty("k256_key"));

    public static byte[] SimulatorK256Signature => Hex(AppKeys.GetProperty("k256_signature"));

    public static byte[] SimulatorAppId => Hex(Root.GetProperty("app_root").GetProperty("app_id"));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static byte[] Hex(JsonElement element) => Convert.FromHexString(element.GetString()!);

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static byte[] HexOf(this JsonElement element, string name) => Hex(element.GetProperty(name));

    public static TheoryData<int> Indexes(string section)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Root.GetProperty(section).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static JsonElement Entry(string section, int index) => Root.GetProperty(section)[index];
}

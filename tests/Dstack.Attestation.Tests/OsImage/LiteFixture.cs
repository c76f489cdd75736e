using System.Text.Json;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Quotes;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.OsImage;

/// <summary>The §5 worked example: <c>verifier-tdx-lite-getquote.json</c> and <c>verifier-tdx-lite-attestation.json</c>.</summary>
internal sealed record LiteFixture(string VmConfigJson, OsImageRegisters Registers, IReadOnlyList<TdxEvent> EventLog)
{
    public const string MrTd = "fd685522ce791dfef67414614eb07d03fc07a32c5a66f36288b329dab92b724b1564c73d436ffb9ea84488c51ac5a1c5";
    public const string SinglePass = "a6f2ac9451810686a4db259fe8fa5438dc4a58bda9fd2f5b1fb0928335705500d29a15c92387416a2f52dddce99c83f8";
    public const string Rtmr0 = "f8438db36b96f85d8752ff7f24a89ec05c79ec9eda2ba732c897fb970ca429365b7471b1c054cb84f17b1c2b23ba6640";
    public const string Rtmr1 = "2023546e7f3b9d1228e274f70c44d481162540f8452544520a796a52f06879709b81a824a26792a7822327504b0d2aee";
    public const string Rtmr2 = "4c1b739ed451a637b0f82642e48a5ea83925d23633c72e7385c8e9aca4175e133ed1625b7d92eb39edf509c27ff392dc";
    public const string OsImageHash = "e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db";
    public const string CborSha256 = "8c9e955f0b577cc8945a891a34ccfa5b8e08bb5e5d249992603e64dd14870e3c";
    public const string TdHob2GiB = "0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c64f323fdacbb37948f821ebaf8bc9c938ba8a749";

    private static readonly Lazy<LiteFixture> GetQuoteFixture = new(LoadGetQuote);
    private static readonly Lazy<LiteFixture> AttestationFixture = new(LoadAttestation);

    /// <summary>The GetQuote response fixture.</summary>
    public static LiteFixture GetQuote => GetQuoteFixture.Value;

    /// <summary>The V0 attestation fixture.</summary>
    public static LiteFixture Attestation => AttestationFixture.Value;

    public OsImageVmConfig Config => OsImageVmConfig.Parse(VmConfigJson);

    /// <summary>The fixture's vm_config with one top-level key replaced (raw JSON value) or removed (null).</summary>
    public OsImageVmConfig ConfigWith(string key, string? rawValue)
    {
        using var document = JsonDocument.Parse(VmConfigJson);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            var replaced = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == key)
                {
                    replaced = true;
                    if (rawValue is not null)
                    {
                        writer.WritePropertyName(key);
                        writer.WriteRawValue(rawValue);
                    }
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            if (!replaced && rawValue is not null)
            {
                writer.WritePropertyName(key);
                writer.WriteRawValue(rawValue);
            }

            writer.WriteEndObject();
        }

        return OsImageVmConfig.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static LiteFixture LoadGetQuote()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture("verifier-tdx-lite-getquote.json")));
        var root = document.RootElement;
        var quote = TdxQuote.Parse(Convert.FromHexString(root.GetProperty("quote").GetString()!));
        var events = EventLogJson.Deserialize(root.GetProperty("event_log").GetString()!);
        return new LiteFixture(root.GetProperty("vm_config").GetString()!, OsImageRegisters.Of(TdMeasurements.Of(quote)), events);
    }

    private static LiteFixture LoadAttestation()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture("verifier-tdx-lite-attestation.json")));
        var attestation = AttestationCodec.Decode(Convert.FromHexString(document.RootElement.GetProperty("attestation").GetString()!));
        var quote = TdxQuote.Parse(attestation.Quote);
        return new LiteFixture(attestation.Config, OsImageRegisters.Of(TdMeasurements.Of(quote)), attestation.EventLog);
    }
}

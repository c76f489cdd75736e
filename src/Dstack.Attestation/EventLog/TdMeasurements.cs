using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.EventLog;

/// <summary>The TD measurement registers that app-info derivation reads (48 bytes each), taken from a quote or TD report.</summary>
public sealed record TdMeasurements
{
    /// <summary>MRTD.</summary>
    public required byte[] MrTd { get; init; }

    /// <summary>RTMR0.</summary>
    public required byte[] Rtmr0 { get; init; }

    /// <summary>RTMR1.</summary>
    public required byte[] Rtmr1 { get; init; }

    /// <summary>RTMR2.</summary>
    public required byte[] Rtmr2 { get; init; }

    /// <summary>RTMR3 as quoted (not used by the derivations, which replay the runtime events).</summary>
    public byte[] Rtmr3 { get; init; } = new byte[48];

    /// <summary>MRCONFIGID.</summary>
    public byte[] MrConfigId { get; init; } = new byte[48];

    /// <summary>MROWNER.</summary>
    public byte[] MrOwner { get; init; } = new byte[48];

    /// <summary>MROWNERCONFIG.</summary>
    public byte[] MrOwnerConfig { get; init; } = new byte[48];

    /// <summary>The registers as <paramref name="quote"/> reports them.</summary>
    public static TdMeasurements Of(TdxQuote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        return new TdMeasurements
        {
            MrTd = quote.MrTd.ToArray(),
            Rtmr0 = quote.Rtmrs[0].ToArray(),
            Rtmr1 = quote.Rtmrs[1].ToArray(),
            Rtmr2 = quote.Rtmrs[2].ToArray(),
            Rtmr3 = quote.Rtmrs[3].ToArray(),
            MrConfigId = quote.MrConfigId.ToArray(),
            MrOwner = quote.MrOwner.ToArray(),
            MrOwnerConfig = quote.MrOwnerConfig.ToArray(),
        };
    }
}

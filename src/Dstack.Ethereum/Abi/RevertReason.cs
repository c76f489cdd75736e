using System.Globalization;
using System.Numerics;

namespace Dstack.Ethereum.Abi;

/// <summary>The decoded reason of a reverted call or transaction.</summary>
public sealed class RevertReason
{
    private static readonly AbiParameter[] StringParameter = [new("message", AbiType.Text)];
    private static readonly AbiParameter[] PanicParameter = [new("code", AbiType.UInt256)];
    private static readonly byte[] ErrorSelector = AbiSignature.Selector("Error(string)");
    private static readonly byte[] PanicSelector = AbiSignature.Selector("Panic(uint256)");

    private RevertReason(RevertReasonKind kind, byte[] data, string? message, BigInteger? panicCode, AbiError? error, IReadOnlyList<object?>? arguments)
    {
        Kind = kind;
        Data = data;
        Message = message;
        PanicCode = panicCode;
        Error = error;
        Arguments = arguments ?? [];
    }

    /// <summary>How the data was understood.</summary>
    public RevertReasonKind Kind { get; }

    /// <summary>The raw revert data.</summary>
    public IReadOnlyList<byte> Data { get; }

    /// <summary>The <c>Error(string)</c> message, when <see cref="Kind"/> is <see cref="RevertReasonKind.Message"/>.</summary>
    public string? Message { get; }

    /// <summary>The panic code, when <see cref="Kind"/> is <see cref="RevertReasonKind.Panic"/>.</summary>
    public BigInteger? PanicCode { get; }

    /// <summary>The custom error, when <see cref="Kind"/> is <see cref="RevertReasonKind.CustomError"/>.</summary>
    public AbiError? Error { get; }

    /// <summary>The custom error's arguments.</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>Decodes revert data against <c>Error(string)</c>, <c>Panic(uint256)</c> and the given custom errors.</summary>
    /// <param name="data">The revert data.</param>
    /// <param name="knownErrors">Custom errors to match by selector.</param>
    /// <returns>The reason; undecodable data gives <see cref="RevertReasonKind.Unknown"/>, never an exception.</returns>
    public static RevertReason Decode(ReadOnlySpan<byte> data, IEnumerable<AbiError>? knownErrors = null)
    {
        var raw = data.ToArray();
        if (raw.Length == 0)
        {
            return new RevertReason(RevertReasonKind.Empty, raw, null, null, null, null);
        }

        if (raw.Length < 4)
        {
            return new RevertReason(RevertReasonKind.Unknown, raw, null, null, null, null);
        }

        var selector = raw.AsSpan(0, 4);
        try
        {
            if (selector.SequenceEqual(ErrorSelector))
            {
                var message = (string)AbiDecoder.Decode(StringParameter, raw.AsSpan(4))[0]!;
                return new RevertReason(RevertReasonKind.Message, raw, message, null, null, null);
            }

            if (selector.SequenceEqual(PanicSelector))
            {
                var code = (BigInteger)AbiDecoder.Decode(PanicParameter, raw.AsSpan(4))[0]!;
                return new RevertReason(RevertReasonKind.Panic, raw, null, code, null, null);
            }

            foreach (var error in knownErrors ?? [])
            {
                if (selector.SequenceEqual(error.Selector))
                {
                    var arguments = AbiDecoder.Decode(error.Inputs, raw.AsSpan(4));
                    return new RevertReason(RevertReasonKind.CustomError, raw, null, null, error, arguments);
                }
            }
        }
        catch (AbiException)
        {
            // fall through: the data claims a known shape but does not decode
        }

        return new RevertReason(RevertReasonKind.Unknown, raw, null, null, null, null);
    }

    /// <summary>A one-line description, e.g. <c>Invalid app ID</c> or <c>OwnableUnauthorizedAccount(0x…)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind switch
    {
        RevertReasonKind.Empty => "reverted without data",
        RevertReasonKind.Message => Message!,
        RevertReasonKind.Panic => "panic 0x" + PanicCode!.Value.ToString("x2", CultureInfo.InvariantCulture),
        RevertReasonKind.CustomError => Error!.Name + "(" + string.Join(", ", Arguments.Select(FormatArgument)) + ")",
        _ => "unknown revert data " + Hex.Format(Data.ToArray()),
    };

    private static string FormatArgument(object? value) => value switch
    {
        byte[] b => Hex.Format(b),
        null => "null",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

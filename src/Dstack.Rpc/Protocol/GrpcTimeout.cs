using System.Globalization;

namespace Dstack.Rpc.Protocol;

/// <summary>
/// The <c>grpc-timeout</c> header: at most eight ASCII digits followed by a unit, one of <c>H</c> (hours), <c>M</c>
/// (minutes), <c>S</c> (seconds), <c>m</c> (milliseconds), <c>u</c> (microseconds) or <c>n</c> (nanoseconds).
/// </summary>
internal static class GrpcTimeout
{
    /// <summary>The largest value the header can carry in any unit.</summary>
    public const long MaxValue = 99_999_999;

    private static readonly (char Unit, long Ticks)[] Units =
    [
        ('u', 10),
        ('m', TimeSpan.TicksPerMillisecond),
        ('S', TimeSpan.TicksPerSecond),
        ('M', TimeSpan.TicksPerMinute),
        ('H', TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses a header value; false when it is not valid.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length is < 2 or > 9)
        {
            return false;
        }

        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long ticks;
        switch (value[^1])
        {
            case 'n':
                // 100 ns per tick; round up so that a non-zero timeout stays non-zero.
                ticks = (amount + 99) / 100;
                break;
            case 'u':
                ticks = amount * 10;
                break;
            case 'm':
                ticks = amount * TimeSpan.TicksPerMillisecond;
                break;
            case 'S':
                ticks = amount * TimeSpan.TicksPerSecond;
                break;
            case 'M':
                ticks = amount * TimeSpan.TicksPerMinute;
                break;
            case 'H':
                // 99,999,999 h is 3.6e18 ticks, still inside a long.
                ticks = amount * TimeSpan.TicksPerHour;
                break;
            default:
                return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>
    /// Formats a positive timeout in the finest unit that fits in eight digits, rounding up; longer timeouts are capped
    /// at 99,999,999 hours. Zero or negative timeouts format as <c>1n</c> (already expired).
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = timeout.Ticks;
        if (ticks <= 0)
        {
            return "1n";
        }

        if (ticks <= MaxValue / 100)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }

        foreach (var (unit, unitTicks) in Units)
        {
            var amount = (ticks / unitTicks) + (ticks % unitTicks == 0 ? 0 : 1);
            if (amount <= MaxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit.ToString();
            }
        }

        return MaxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }
}

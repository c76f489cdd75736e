using System.Text;
using Dstack.Attestation.Storage;

namespace Dstack.Attestation.Devices;

/// <summary>
/// The registers of a simulated TD, persisted as a small text file: one line per register,
/// <c>&lt;name&gt; &lt;96 lowercase hex digits&gt;</c>, names <c>mrtd rtmr0 rtmr1 rtmr2 rtmr3</c> in that order.
/// Written atomically (temp file, then rename over the old one).
/// </summary>
internal sealed class SimulatedTdState
{
    private static readonly string[] Names = ["mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3"];

    public SimulatedTdState(byte[] mrTd, byte[][] rtmrs)
    {
        MrTd = mrTd;
        Rtmrs = rtmrs;
    }

    public byte[] MrTd { get; }

    public byte[][] Rtmrs { get; }

    /// <summary>A copy whose registers can be replaced without changing this one.</summary>
    public SimulatedTdState Copy() => new(MrTd, [.. Rtmrs]);

    public static SimulatedTdState Load(string path)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadAllLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(' ');
            if (parts.Length != 2 || !Names.Contains(parts[0]) || parts[1].Length != 96)
            {
                throw new TdxDeviceException($"{path}: line {lineNumber} is not '<register> <96 hex digits>'");
            }

            try
            {
                values[parts[0]] = Convert.FromHexString(parts[1]);
            }
            catch (FormatException ex)
            {
                throw new TdxDeviceException($"{path}: line {lineNumber} has invalid hex", ex);
            }
        }

        var missing = Names.Where(n => !values.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new TdxDeviceException($"{path}: missing register(s) {string.Join(", ", missing)}");
        }

        return new SimulatedTdState(values["mrtd"], [values["rtmr0"], values["rtmr1"], values["rtmr2"], values["rtmr3"]]);
    }

    public void Save(string path)
    {
        var text = new StringBuilder();
        byte[][] all = [MrTd, .. Rtmrs];
        for (var i = 0; i < Names.Length; i++)
        {
            text.Append(Names[i]).Append(' ').Append(Convert.ToHexStringLower(all[i])).Append('\n');
        }

        SecureFile.Write(path, Encoding.ASCII.GetBytes(text.ToString()));
    }
}

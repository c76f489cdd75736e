using System.Globalization;

namespace Dstack.Attestation.Tests.Devices;

/// <summary>
/// Plays the kernel for a configfs-tsm report entry in a temp tree: when 64 bytes arrive in <c>inblob</c> it
/// consumes them, writes a fake quote embedding them to <c>outblob</c> and bumps <c>generation</c>.
/// </summary>
internal sealed class EmulatedKernel : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _entry;

    public EmulatedKernel(string entry, string provider = "tdx_guest\n", int quoteSize = 1100, int generationStep = 1)
    {
        _entry = entry;
        Directory.CreateDirectory(entry);
        File.WriteAllText(Path.Combine(entry, "provider"), provider);
        File.WriteAllText(Path.Combine(entry, "generation"), "7\n");
        File.WriteAllBytes(Path.Combine(entry, "inblob"), []);
        File.WriteAllBytes(Path.Combine(entry, "outblob"), []);
        _loop = Task.Run(() => RunAsync(quoteSize, generationStep, _stop.Token));
    }

    public static byte[] FakeQuote(byte[] inblob, int size)
    {
        var quote = new byte[size];
        "FAKEQUOTE"u8.CopyTo(quote);
        inblob.CopyTo(quote, 9);
        return quote;
    }

    private async Task RunAsync(int quoteSize, int generationStep, CancellationToken stop)
    {
        var inblob = Path.Combine(_entry, "inblob");
        var generationPath = Path.Combine(_entry, "generation");
        while (!stop.IsCancellationRequested)
        {
            if (new FileInfo(inblob).Length == 64)
            {
                var data = await File.ReadAllBytesAsync(inblob, CancellationToken.None);
                if (data.Length == 64)
                {
                    await File.WriteAllBytesAsync(inblob, [], CancellationToken.None);
                    Replace(Path.Combine(_entry, "outblob"), FakeQuote(data, quoteSize));
                    if (generationStep != 0)
                    {
                        var generation = long.Parse(File.ReadAllText(generationPath).Trim(), CultureInfo.InvariantCulture);
                        Replace(generationPath, System.Text.Encoding.ASCII.GetBytes((generation + generationStep).ToString(CultureInfo.InvariantCulture) + "\n"));
                    }
                }
            }

            try
            {
                await Task.Delay(2, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void Replace(string path, byte[] content)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

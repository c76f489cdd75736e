using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Boot;

/// <summary>
/// Hands the disk key to the configured storage command (see <see cref="StorageOptions"/>): passphrase = lowercase hex
/// of the disk key on standard input without a newline (tdx-boot §4.8), exit code 0 required.
/// </summary>
internal static class StorageStep
{
    /// <summary>Step name used in errors.</summary>
    public const string Step = "prepare data disk";

    private const int MaxErrorChars = 2000;

    /// <summary>Runs the command, or does nothing without one.</summary>
    public static async Task RunAsync(StorageOptions options, ReadOnlyMemory<byte> diskCryptKey, string fs, bool encrypted, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Command))
        {
            BootLog.StorageSkipped(logger, fs);
            return;
        }

        var start = new ProcessStartInfo(options.Command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in options.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DSTACK_STORAGE_FS"] = fs;
        start.Environment["DSTACK_STORAGE_ENCRYPTED"] = encrypted ? "1" : "0";
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new BootException(Step, $"cannot start {options.Command}: {ex.Message}", ex);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var passphrase = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(diskCryptKey.Span));
        try
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(passphrase, cancellationToken).ConfigureAwait(false);
                await process.StandardInput.BaseStream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // the command exited without reading its input; its exit code tells what happened
            }
            finally
            {
                process.StandardInput.Close();
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(passphrase);
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await stdout.ConfigureAwait(false);
        var errors = (await stderr.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0)
        {
            var detail = errors.Length > MaxErrorChars ? errors[^MaxErrorChars..] : errors;
            throw new BootException(Step, $"{options.Command} exited with code {process.ExitCode}{(detail.Length > 0 ? ": " + detail : "")}");
        }

        BootLog.StorageDone(logger, options.Command, fs, encrypted);
    }
}

namespace Dstack.Attestation.Devices;

/// <summary>
/// An exclusive lock that holds across processes: the lock file opened with <see cref="FileShare.None"/> (which
/// .NET on Linux implements with <c>flock(LOCK_EX | LOCK_NB)</c>), retried until acquired or cancelled.
/// </summary>
internal sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _stream;

    private ExclusiveFileLock(FileStream stream) => _stream = stream;

    public static async Task<ExclusiveFileLock> AcquireAsync(string path, TimeSpan retryInterval, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new ExclusiveFileLock(new FileStream(path, options));
            }
            catch (IOException) when (File.Exists(path))
            {
                // held by another handle or process
            }

            await Task.Delay(retryInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}

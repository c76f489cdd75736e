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

    /// <summary>The number stored in the lock file's first 8 bytes (0 when there is none): a holder's note to the next.</summary>
    public long ReadGeneration()
    {
        Span<byte> buffer = stackalloc byte[8];
        return RandomAccess.Read(_stream.SafeFileHandle, buffer, 0) == 8 ? BitConverter.ToInt64(buffer) : 0;
    }

    /// <summary>Stores <paramref name="generation"/> in the lock file's first 8 bytes.</summary>
    public void WriteGeneration(long generation) => RandomAccess.Write(_stream.SafeFileHandle, BitConverter.GetBytes(generation), 0);

    public void Dispose() => _stream.Dispose();
}

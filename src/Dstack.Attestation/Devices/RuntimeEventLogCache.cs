using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Devices;

/// <summary>
/// Keeps the parsed runtime log of one file. The log is append-only: a refresh looks at the file's length and parses
/// only the complete lines added since the last one (another process may have appended); a shorter file (replaced or
/// truncated) is parsed again from the start. An unterminated last line is an append in progress: it is included
/// when it parses and re-read on the next refresh, and left out (not an error) while it does not.
/// </summary>
internal sealed class RuntimeEventLogCache(string path, ReplayLimits limits)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly Lock _gate = new();
    private RuntimeEventLogSnapshot _committed = RuntimeEventLogSnapshot.Empty;
    private RuntimeEventLogSnapshot _current = RuntimeEventLogSnapshot.Empty;
    private long _committedLength;
    private int _committedLines;
    private long _seenLength = -1;

    /// <summary>The log as the file holds it now.</summary>
    /// <exception cref="EventLogFormatException">A line is malformed or a cap of the replay limits is exceeded.</exception>
    /// <remarks>Synchronous on purpose: a refresh reads only what was appended since the last one, under a short lock.</remarks>
    public RuntimeEventLogSnapshot Get(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Refresh();
        }
    }

    /// <summary>Forgets everything parsed; the next <see cref="Get"/> reads the whole file.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            Reset();
        }
    }

    private void Reset()
    {
        _committed = _current = RuntimeEventLogSnapshot.Empty;
        _committedLength = 0;
        _committedLines = 0;
        _seenLength = -1;
    }

    private RuntimeEventLogSnapshot Refresh()
    {
        // the usual case, nothing appended: one stat, no open
        var info = new FileInfo(path);
        if (_seenLength > 0 && info.Exists && info.Length == _seenLength)
        {
            return _current;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            Reset();
            _seenLength = 0;
            return _current;
        }

        using (stream)
        {
            var length = stream.Length;
            if (length == _seenLength)
            {
                return _current;
            }

            if (length < _committedLength)
            {
                Reset();
            }

            if (length > limits.MaxTotalBytes * 2)
            {
                throw new EventLogFormatException($"runtime event log {path} is larger than {limits.MaxTotalBytes * 2} bytes");
            }

            stream.Seek(_committedLength, SeekOrigin.Begin);
            var added = new byte[length - _committedLength];
            stream.ReadExactly(added);
            var complete = Array.LastIndexOf(added, (byte)'\n') + 1;
            var events = new List<RuntimeEvent>();
            var prior = _committed.Events.Count;
            string text;
            try
            {
                text = StrictUtf8.GetString(added, 0, complete);
            }
            catch (DecoderFallbackException ex)
            {
                throw new EventLogFormatException($"runtime event log {path} is not valid UTF-8", ex);
            }

            RuntimeEventLog.ParseLines(text, limits, _committedLines + 1, prior, events);
            _committed = _committed.Append(events);
            _committedLength += complete;
            _committedLines += text.Count(c => c == '\n');
            _current = _committed.Append(PendingTail(added.AsSpan(complete)));
            _seenLength = length;
            return _current;
        }
    }

    private List<RuntimeEvent> PendingTail(ReadOnlySpan<byte> tail)
    {
        try
        {
            var line = StrictUtf8.GetString(tail).Trim();
            return line.Length == 0 ? [] : [RuntimeEventLog.ParseLine(line, _committedLines + 1, _committed.Events.Count, limits)];
        }
        catch (Exception ex) when (ex is DecoderFallbackException or EventLogFormatException)
        {
            return [];
        }
    }
}

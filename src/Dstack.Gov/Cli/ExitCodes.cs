namespace Dstack.Gov.Cli;

/// <summary>The process exit codes of every verb.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>verify</c>, every check passed.</summary>
    public const int Success = 0;

    /// <summary>A check failed, a transaction reverted, or the chain/agent could not be read.</summary>
    public const int Failure = 1;

    /// <summary>A bad or missing argument.</summary>
    public const int Usage = 2;
}

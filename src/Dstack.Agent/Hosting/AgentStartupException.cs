namespace Dstack.Agent.Hosting;

/// <summary>A problem that keeps the daemon from starting, with a message meant for the operator.</summary>
internal sealed class AgentStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentStartupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public AgentStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public AgentStartupException()
        : base("the agent could not start")
    {
    }
}

namespace Dstack.Agent.Configuration;

/// <summary>The agent's configuration file (JSON), bound at start and validated with <see cref="AgentOptionsValidator"/>.</summary>
internal sealed class AgentOptions
{
    /// <summary>Where the API sockets live and how they are created.</summary>
    public SocketOptions Sockets { get; set; } = new();

    /// <summary>Which local callers may use the API.</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary>Request size and connection timing limits.</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>The files the boot sequence writes and the agent reads.</summary>
    public FilesOptions Files { get; set; } = new();

    /// <summary>The TDX device (hardware or simulated).</summary>
    public TdxOptions Tdx { get; set; } = new();

    /// <summary>The boot sequence (<c>dstack-agent boot</c>): key provider retries, storage step, kernel options.</summary>
    public Boot.BootOptions Boot { get; set; } = new();
}

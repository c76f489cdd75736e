namespace Dstack.Agent.Configuration;

/// <summary>The two API sockets.</summary>
internal sealed class SocketOptions
{
    /// <summary>Path of the current API socket (served at <c>/&lt;Method&gt;</c>).</summary>
    public string Dstack { get; set; } = "/var/run/dstack.sock";

    /// <summary>Path of the legacy API socket (served at <c>/prpc/Tappd.&lt;Method&gt;</c>); empty disables it.</summary>
    public string Tappd { get; set; } = "/var/run/tappd.sock";

    /// <summary>Octal permission bits of sockets the agent binds itself (not of systemd-activated ones).</summary>
    public string Mode { get; set; } = "0660";

    /// <summary>Optional group (name or numeric id) that owns the sockets the agent binds itself.</summary>
    public string? Group { get; set; }
}

namespace Dstack.Agent.Embedding;

/// <summary>What an embedded agent reports once its sockets listen.</summary>
public sealed class LocalStackAgentStarted
{
    internal LocalStackAgentStarted(string dstackSocket, string tappdSocket, string appId, string composeHash, string instanceId, int eventsEmitted)
    {
        DstackSocket = dstackSocket;
        TappdSocket = tappdSocket;
        AppId = appId;
        ComposeHash = composeHash;
        InstanceId = instanceId;
        EventsEmitted = eventsEmitted;
    }

    /// <summary>Path of <c>dstack.sock</c>.</summary>
    public string DstackSocket { get; }

    /// <summary>Path of the legacy <c>tappd.sock</c>.</summary>
    public string TappdSocket { get; }

    /// <summary>The measured app id, lowercase hex.</summary>
    public string AppId { get; }

    /// <summary>The measured compose hash, lowercase hex.</summary>
    public string ComposeHash { get; }

    /// <summary>The measured instance id, lowercase hex (empty with <c>no_instance_id</c>).</summary>
    public string InstanceId { get; }

    /// <summary>Runtime events this start emitted into RTMR3: the boot's on first start, 0 on a restart.</summary>
    public int EventsEmitted { get; }
}

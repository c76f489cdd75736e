using Dstack.Agent.Embedding;
using Dstack.Kms.Embedding;

namespace Dstack.LocalStack;

/// <summary>What the user sees once the sockets listen: both identities, the paths and commands to try.</summary>
internal static class LocalStackHelp
{
    public static string Render(LocalStackLayout layout, LocalKmsConfiguration kms, KmsEmbeddedStarted kmsInfo, LocalStackAgentStarted vm, string trustRoot)
    {
        var dstack = vm.DstackSocket;
        var tappd = vm.TappdSocket;
        var boot = vm.EventsEmitted > 0
            ? $"booted now against the KMS ({vm.EventsEmitted} runtime events emitted)"
            : "already booted (keys reused, boot events are not emitted again)";
        var policy = string.Equals(kms.PolicyKind, "file", StringComparison.OrdinalIgnoreCase) && kms.Values.TryGetValue("Policy:Path", out var path)
            ? $"file {path}"
            : kms.PolicyKind;
        var lines = new[]
        {
            "dstack-local: the dstack agent on a simulated TDX VM, with its KMS in-process",
            $"  directory        {layout.Root}",
            $"  VM               {layout.Vm}, {boot}",
            $"  app id           {vm.AppId}",
            $"  instance id      {vm.InstanceId}",
            $"  compose hash     {vm.ComposeHash} ({Path.Combine(layout.Vm, LocalStackAgent.ComposeFileName)})",
            $"  KMS              {kms.Url.GetLeftPart(UriPartial.Authority)} (in-process, listening on {kmsInfo.Address.GetLeftPart(UriPartial.Authority)}), policy: {policy}",
            $"  KMS k256 root    {Convert.ToHexStringLower(kmsInfo.K256RootPublicKey.Span)}",
            $"  mock DCAP root   {trustRoot}, shared by the VM and the KMS",
            $"  dstack.sock      {dstack}",
            $"  tappd.sock       {tappd}",
            "",
            "Try:",
            $"  curl --unix-socket {dstack} http://localhost/Info",
            $"  curl --unix-socket {dstack} 'http://localhost/GetKey?path=my/key&purpose=signing'",
            $"  curl --unix-socket {dstack} -H 'Content-Type: application/json' -d '{{\"event\":\"my-event\",\"payload\":\"cafe\"}}' http://localhost/EmitEvent",
            $"  curl --unix-socket {tappd} http://localhost/prpc/Tappd.Info",
            "The signature_chain of GetKey: [0] the app key over the derived key, [1] the KMS k256 root over the app key (it recovers to the KMS k256 root above).",
            "Check a quote (its signature under the mock root, and the event log against its RTMRs):",
            $"  curl -s --unix-socket {dstack} 'http://localhost/GetQuote?report_data=1234' > quote.json",
            $"  dstack-agent replay --simulated-root --state-dir {layout.VmTd} quote.json",
            "With the dstack SDKs:",
            $"  export DSTACK_SIMULATOR_ENDPOINT={dstack} TAPPD_SIMULATOR_ENDPOINT={tappd}",
            "Press Ctrl-C to stop.",
            "",
        };
        return string.Join(Environment.NewLine, lines);
    }
}

using Dstack.Attestation.Simulation;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>
/// One simulated TDX platform in a temp directory: a mock DCAP seed that every TD of the platform copies, so that the
/// quotes of every VM and KMS TD here verify under the one simulated trust root a KMS is configured with
/// (<c>TrustRoot:SimulatedStateDirectory</c> = <see cref="PlatformDirectory"/>).
/// </summary>
internal sealed class SimulatedPlatform : IDisposable
{
    private readonly TempDirectory _directory = new();

    public SimulatedPlatform()
    {
        using (SimulatedTd.Open(PlatformDirectory))
        {
        }
    }

    public string Root => _directory.Path;

    /// <summary>The TD whose mock attestation seed (and so DCAP root) the platform's TDs share.</summary>
    public string PlatformDirectory => Path.Combine(Root, "platform");

    /// <summary>A fresh TD state directory holding only the platform's seed: the TD is created on first open (power-on).</summary>
    public string NewTdDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        File.Copy(Path.Combine(PlatformDirectory, MockAttestationSeed.FileName), Path.Combine(path, MockAttestationSeed.FileName));
        return path;
    }

    public void Dispose() => _directory.Dispose();
}

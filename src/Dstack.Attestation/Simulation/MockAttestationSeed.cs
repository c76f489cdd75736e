using System.Security.Cryptography;

namespace Dstack.Attestation.Simulation;

/// <summary>
/// The seed of a simulated TD's mock DCAP PKI, kept in its state directory (file <c>mock-attestation-seed</c>, 64 hex
/// characters, mode 0600) so that every process sharing the directory signs and verifies with the same PKI.
/// </summary>
public static class MockAttestationSeed
{
    /// <summary>File name of the seed inside the state directory.</summary>
    public const string FileName = "mock-attestation-seed";

    /// <summary>Reads the seed of <paramref name="stateDirectory"/>, creating the directory and a random seed on first use.</summary>
    public static byte[] LoadOrCreate(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        if (File.Exists(path))
        {
            return Load(stateDirectory);
        }

        Directory.CreateDirectory(stateDirectory);
        var seed = RandomNumberGenerator.GetBytes(MockDcapPki.SeedSize);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToHexStringLower(seed));
        }

        try
        {
            // Another process may have created the seed meanwhile: the first one wins, never overwrite it.
            File.Move(temp, path, overwrite: false);
            return seed;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return Load(stateDirectory);
        }
    }

    /// <summary>Reads an existing seed; a missing or malformed file is an error that names the file.</summary>
    public static byte[] Load(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no simulated TD in '{stateDirectory}': {FileName} is missing (run a simulated command with this --state-dir first)", path);
        }

        var text = File.ReadAllText(path).Trim();
        if (text.Length != MockDcapPki.SeedSize * 2 || !text.All(Uri.IsHexDigit))
        {
            throw new InvalidDataException($"{path}: expected {MockDcapPki.SeedSize * 2} hex characters");
        }

        return Convert.FromHexString(text);
    }
}

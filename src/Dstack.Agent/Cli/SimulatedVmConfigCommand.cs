using System.CommandLine;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent simulated-vm-config --state-dir DIR [--image NAME] [--memory-size BYTES] [--qemu-version X.Y.Z]</c>:
/// prints the <c>vm_config</c> a host hands a VM on the simulated TD in DIR (the simulated OS image it boots, with that
/// image's measurement, so that a KMS's OS-image check accepts it). The options choose the boot image of a TD that does
/// not exist yet (they are refused for one that does and boots another image).
/// </summary>
internal static class SimulatedVmConfigCommand
{
    public static Command Create()
    {
        var stateDir = new Option<string>("--state-dir") { Description = "State directory of the simulated TD", Required = true };
        var image = new Option<string?>("--image") { Description = $"Simulated OS image name (default {SimulatedBootImage.Default.ImageName})" };
        var memory = new Option<ulong?>("--memory-size") { Description = "Memory of the TD in bytes (default 2 GiB; 2 GiB or at least 2816 MiB)" };
        var qemu = new Option<string?>("--qemu-version") { Description = $"QEMU version X.Y.Z (default {SimulatedBootImage.Default.QemuVersion})" };
        var command = new Command("simulated-vm-config", "Print the vm_config of the simulated TD in --state-dir (its OS image, memory size, QEMU version)")
        {
            stateDir, image, memory, qemu,
        };
        command.SetAction((parse, _) => Task.FromResult(Run(parse.GetValue(stateDir)!, parse.GetValue(image), parse.GetValue(memory), parse.GetValue(qemu), Console.Out, Console.Error)));
        return command;
    }

    /// <summary>Exit code 0 with the JSON on one line, 2 when the options contradict the TD or are invalid.</summary>
    public static int Run(string stateDirectory, string? image, ulong? memorySize, string? qemuVersion, TextWriter output, TextWriter error)
    {
        try
        {
            var current = SimulatedBootImage.Load(stateDirectory);
            var wanted = new SimulatedBootImage(image ?? current.ImageName, memorySize ?? current.MemorySize, qemuVersion ?? current.QemuVersion);
            if (wanted != current)
            {
                if (File.Exists(Path.Combine(stateDirectory, Attestation.Devices.SimulatedTdxDevice.StateFileName)))
                {
                    error.WriteLine($"simulated-vm-config: the TD in {stateDirectory} already booted {Describe(current)}; it cannot boot {Describe(wanted)}");
                    return 2;
                }

                _ = wanted.Boot(); // refuses a memory size or QEMU version the image cannot boot, before anything is written
                wanted.Write(stateDirectory);
            }

            output.WriteLine(wanted.VmConfig);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine("simulated-vm-config: " + e.Message);
            return 2;
        }
    }

    private static string Describe(SimulatedBootImage boot) => $"{boot.ImageName} with {boot.MemorySize} bytes on QEMU {boot.QemuVersion ?? "9.1.0"}";
}

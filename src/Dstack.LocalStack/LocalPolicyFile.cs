using System.Text.Json;
using Dstack.Agent.Embedding;
using Dstack.Kms.Embedding;

namespace Dstack.LocalStack;

/// <summary>
/// The KMS policy file of the local stack (format of <c>dstack-kms</c>'s file policy), written on first start: the VM's
/// OS image, TCB status <c>UpToDate</c>, the VM's app with its compose hash on any (simulated) device, and the in-process
/// KMS itself (its mrAggregated and device, computed from its TD) so that it passes self-authorization.
/// </summary>
internal static class LocalPolicyFile
{
    /// <summary>Writes the file unless it exists (then it is the operator's to edit); returns whether it wrote.</summary>
    public static bool WriteIfMissing(string path, LocalStackVm vm, KmsEmbeddedIdentity kms)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(kms);
        if (File.Exists(path))
        {
            return false;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("gatewayAppId", "");
            WriteArray(writer, "osImages", [.. new[] { vm.OsImageHash, kms.OsImageHash }.Where(h => h.Length > 0).Distinct()]);
            WriteArray(writer, "allowedTcbStatuses", "UpToDate");
            writer.WriteStartObject("kms");
            WriteArray(writer, "mrAggregated", kms.MrAggregated);
            WriteArray(writer, "devices", kms.DeviceId);
            writer.WriteBoolean("allowAnyDevice", false);
            writer.WriteEndObject();
            writer.WriteStartObject("apps");
            writer.WriteStartObject(vm.AppId);
            WriteArray(writer, "composeHashes", vm.ComposeHash);
            writer.WriteBoolean("allowAnyDevice", true);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, buffer.ToArray());
        return true;
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, params string[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}

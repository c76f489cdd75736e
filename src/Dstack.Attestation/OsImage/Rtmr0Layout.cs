using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The fixed RTMR0 digests of the <c>pre202505</c> OVMF layout (spec os-image-verification §3.5) and the fixed
/// RTMR1 OVMF action digests (§3.6).
/// </summary>
internal static class Rtmr0Layout
{
    /// <summary>Event 1: the CFV image.</summary>
    public static readonly byte[] CfvImage = Convert.FromHexString(
        "344bc51c980ba621aaa00da3ed7436f7d6e549197dfe699515dfa2c6583d95e6412af21c097d473155875ffd561d6790");

    /// <summary>Event 12: Boot0000.</summary>
    public static readonly byte[] Boot0000 = Convert.FromHexString(
        "23ada07f5261f12f34a0bd8e46760962d6b4d576a416f1fea1c64bc656b1d28eacf7047ae6e967c58fd2a98bfa74c298");

    /// <summary>Event 11: BootOrder, <c>H(00 00)</c>.</summary>
    public static readonly byte[] BootOrder = SHA384.HashData(new byte[2]);

    /// <summary>The separator event, <c>H(00 00 00 00)</c> (RTMR0 event 7, RTMR1 event 2).</summary>
    public static readonly byte[] Separator = SHA384.HashData(new byte[4]);

    /// <summary>The EFI global-variable GUID (SecureBoot, PK, KEK).</summary>
    public const string GlobalVariableGuid = "8BE4DF61-93CA-11D2-AA0D-00E098032B8C";

    /// <summary>The image-security-database GUID (db, dbx).</summary>
    public const string ImageSecurityDatabaseGuid = "D719B2CB-3D3A-4596-A3BC-DAD00E67656F";

    /// <summary>Events 2–6: the Secure Boot variables, each measured with no data.</summary>
    public static readonly IReadOnlyList<byte[]> SecureBootVariables =
    [
        EfiVariable(GlobalVariableGuid, "SecureBoot"),
        EfiVariable(GlobalVariableGuid, "PK"),
        EfiVariable(GlobalVariableGuid, "KEK"),
        EfiVariable(ImageSecurityDatabaseGuid, "db"),
        EfiVariable(ImageSecurityDatabaseGuid, "dbx"),
    ];

    /// <summary>RTMR1 event 1: <c>H("Calling EFI Application from Boot Option")</c>.</summary>
    public static readonly byte[] CallingEfiApplication = SHA384.HashData("Calling EFI Application from Boot Option"u8);

    /// <summary>RTMR1 event 3: <c>H("Exit Boot Services Invocation")</c>.</summary>
    public static readonly byte[] ExitBootServicesInvocation = SHA384.HashData("Exit Boot Services Invocation"u8);

    /// <summary>RTMR1 event 4: <c>H("Exit Boot Services Returned with Success")</c>.</summary>
    public static readonly byte[] ExitBootServicesReturned = SHA384.HashData("Exit Boot Services Returned with Success"u8);

    /// <summary>
    /// <c>H(guid ‖ LE8(chars) ‖ LE8(0) ‖ UTF-16LE(name))</c>: an empty EFI variable as OVMF measures it. The GUID is in
    /// its mixed-endian binary form (first three groups byte-reversed).
    /// </summary>
    public static byte[] EfiVariable(string guid, string name)
    {
        var nameBytes = Encoding.Unicode.GetBytes(name);
        var buffer = new byte[16 + 8 + 8 + nameBytes.Length];
        if (!new Guid(guid).TryWriteBytes(buffer, bigEndian: false, out _))
        {
            throw new InvalidOperationException("GUID does not fit");
        }

        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(16), (ulong)name.Length);
        nameBytes.CopyTo(buffer, 32);
        return SHA384.HashData(buffer);
    }
}

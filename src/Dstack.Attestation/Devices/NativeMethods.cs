using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Dstack.Attestation.Devices;

/// <summary>libc entry points for the <c>/dev/tdx_guest</c> ioctls.</summary>
internal static class NativeMethods
{
    /// <summary><c>_IOWR('T', 1, struct tdx_report_req)</c>, 1088-byte struct.</summary>
    public const uint TdxCmdGetReport0 = 0xC4405401;

    /// <summary><c>_IOR('T', 3, struct tdx_extend_rtmr_req)</c>, 49-byte struct (the variant dstack calls).</summary>
    public const uint TdxCmdExtendRtmr = 0x80315403;

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not enable
    private static extern int IoctlNative(SafeFileHandle fd, nuint request, byte[] argument);
#pragma warning restore SYSLIB1054

    /// <summary>Issues <paramref name="request"/> with a pointer to <paramref name="argument"/>; returns errno or 0.</summary>
    public static int Ioctl(SafeFileHandle fd, uint request, byte[] argument)
        => IoctlNative(fd, request, argument) < 0 ? Marshal.GetLastPInvokeError() : 0;
}

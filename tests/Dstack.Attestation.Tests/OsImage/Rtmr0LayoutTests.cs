using System.Security.Cryptography;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

public class Rtmr0LayoutTests
{
    [Fact]
    public void Secure_boot_variable_digests_are_the_documented_ones()
    {
        var digests = Rtmr0Layout.SecureBootVariables;

        Hex.AssertAbbreviated("9dc3a1f8…bedae6fb", digests[0]);
        Hex.AssertAbbreviated("6f2e3cbc…c3250f1b", digests[1]);
        Hex.AssertAbbreviated("d607c0ef…deadc6f9", digests[2]);
        Hex.AssertAbbreviated("08a74f89…ea19e127", digests[3]);
        Hex.AssertAbbreviated("18cc6e01…b0f9828d", digests[4]);
    }

    [Fact]
    public void Secure_boot_preimage_is_guid_lengths_and_utf16_name()
    {
        var preimage = Hex.Bytes("61dfe48bca93d211aa0d00e098032b8c" + "0a00000000000000" + "0000000000000000" + "5300" + "6500" + "6300" + "7500" + "7200" + "6500" + "4200" + "6f00" + "6f00" + "7400");

        Assert.Equal(SHA384.HashData(preimage), Rtmr0Layout.EfiVariable(Rtmr0Layout.GlobalVariableGuid, "SecureBoot"));
    }

    [Fact]
    public void Fixed_action_and_separator_digests_are_the_documented_ones()
    {
        Hex.AssertAbbreviated("394341b7…9f1289f0", Rtmr0Layout.Separator);
        Assert.Equal("1dd6f7b457ad880d840d41c961283bab688e94e4b59359ea45686581e90feccea3c624b1226113f824f315eb60ae0a7c", Hex.Of(Rtmr0Layout.BootOrder));
        Hex.AssertAbbreviated("77a0dab2…439a8d71", Rtmr0Layout.CallingEfiApplication);
        Hex.AssertAbbreviated("214b0bef…b27677e0", Rtmr0Layout.ExitBootServicesInvocation);
        Hex.AssertAbbreviated("0a2e01c8…f6230b74", Rtmr0Layout.ExitBootServicesReturned);
    }
}

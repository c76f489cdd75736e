using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

public class QemuPageAddOrderTests
{
    [Theory]
    [InlineData("8.0.0", null, true)]
    [InlineData("8.2.2", null, true)]
    [InlineData("8.99.99", null, true)]
    [InlineData("9.0.0", null, false)]
    [InlineData("9.1.0", null, false)]
    [InlineData("10.0.0", null, false)]
    [InlineData(null, null, false)]
    [InlineData("9.1.0", true, true)]
    [InlineData(null, true, true)]
    [InlineData("8.2.2", false, false)]
    public void Two_pass_follows_the_version_range_unless_overridden(string? version, bool? singlePassAddPages, bool twoPass)
    {
        Assert.Equal(twoPass, QemuPageAddOrder.IsTwoPass(version, singlePassAddPages));
    }

    [Fact]
    public void Versions_parse_as_three_u32_parts()
    {
        Assert.Equal((4294967295u, 0u, 7u), QemuPageAddOrder.Parse("4294967295.0.7"));
        Assert.Equal((8u, 2u, 2u), QemuPageAddOrder.Parse("08.2.2"));
    }
}

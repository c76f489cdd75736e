using System.Text.Json;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

public class OsImageVmConfigTests
{
    private const string Prefix = "Failed to decode VM config: Failed to parse vm config: ";

    [Fact]
    public void Defaults_are_legacy_without_optional_fields()
    {
        var config = OsImageVmConfig.Parse("""{"memory_size":1024,"cpu_count":1,"anything":[1,{"x":2}]}""");

        Assert.Equal("legacy", config.Variant);
        Assert.False(config.IsLite);
        Assert.Empty(config.OsImageHash);
        Assert.Null(config.TdxMeasurement);
        Assert.Null(config.QemuVersion);
        Assert.Null(config.QemuSinglePassAddPages);
        Assert.Null(config.OvmfVariant);
        Assert.Equal(1024UL, config.MemorySize);
    }

    [Fact]
    public void Upper_case_hash_and_max_memory_are_read()
    {
        var config = OsImageVmConfig.Parse("""{"os_image_hash":"ABCDEF01","memory_size":18446744073709551615,"qemu_single_pass_add_pages":false}""");

        Assert.Equal([0xab, 0xcd, 0xef, 0x01], config.OsImageHash);
        Assert.Equal(ulong.MaxValue, config.MemorySize);
        Assert.False(config.QemuSinglePassAddPages);
    }

    [Fact]
    public void A_root_json_string_holds_the_document()
    {
        var inner = LiteFixture.GetQuote.VmConfigJson;

        var config = OsImageVmConfig.Parse(JsonSerializer.Serialize(inner, Dstack.Attestation.Tests.OsImage.TestJsonContext.Default.String));

        Assert.Equal(LiteFixture.OsImageHash, Hex.Of(config.OsImageHash));
        Assert.True(config.IsLite);
    }

    [Fact]
    public void An_old_sys_config_with_a_vm_config_string_field_is_replaced_by_it()
    {
        var inner = LiteFixture.GetQuote.VmConfigJson;
        var sysConfig = "{\"kms_urls\":[],\"vm_config\":" + JsonSerializer.Serialize(inner, TestJsonContext.Default.String) + "}";

        var config = OsImageVmConfig.Parse(sysConfig);

        Assert.Equal(2147483648UL, config.MemorySize);
        Assert.Equal("8.2.2", config.QemuVersion);
    }

    [Theory]
    [InlineData("{", "")]
    [InlineData("[1]", "expected a JSON object, found Array")]
    [InlineData("""{"os_image_hash":"abc","memory_size":1}""", "os_image_hash is not valid hex")]
    [InlineData("""{"os_image_hash":12,"memory_size":1}""", "os_image_hash must be a hex string, found number 12")]
    [InlineData("""{"cpu_count":2}""", "missing field `memory_size`")]
    [InlineData("""{"memory_size":-1}""", "memory_size must be an unsigned 64-bit integer, found number -1")]
    [InlineData("""{"memory_size":"2"}""", "memory_size must be an unsigned 64-bit integer, found string")]
    [InlineData("""{"memory_size":1,"qemu_version":8}""", "qemu_version must be a string, found number 8")]
    [InlineData("""{"memory_size":1,"qemu_single_pass_add_pages":"yes"}""", "qemu_single_pass_add_pages must be a boolean, found string")]
    [InlineData("""{"memory_size":1,"tdx_attestation_variant":"full"}""", "unknown variant `full` for tdx_attestation_variant, expected `legacy` or `lite`")]
    [InlineData("""{"memory_size":1,"tdx_measurement":[]}""", "tdx_measurement must be an object, found array")]
    [InlineData("""{"memory_size":1,"tdx_measurement":{"measurement":"AA=="}}""", "missing field `checksum_file` in tdx_measurement")]
    [InlineData("""{"memory_size":1,"tdx_measurement":{"checksum_file":"AA=="}}""", "missing field `measurement` in tdx_measurement")]
    [InlineData("""{"memory_size":1,"tdx_measurement":{"checksum_file":"AA","measurement":"AA=="}}""", "tdx_measurement.checksum_file is not valid standard padded base64")]
    [InlineData("""{"memory_size":1,"tdx_measurement":{"checksum_file":"AA==","measurement":"A-_A"}}""", "tdx_measurement.measurement is not valid standard padded base64")]
    [InlineData("""{"memory_size":1,"tdx_measurement":{"checksum_file":"AA==","measurement":"AA A"}}""", "tdx_measurement.measurement is not valid standard padded base64")]
    [InlineData("""{"memory_size":1,"tdx_measurement":{"checksum_file":"AA==","measurement":7}}""", "tdx_measurement.measurement must be a base64 string, found number 7")]
    public void Malformed_configs_are_refused_with_the_prefix(string json, string detail)
    {
        var ex = Assert.Throws<OsImageException>(() => OsImageVmConfig.Parse(json));

        Assert.StartsWith(Prefix + detail, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Base64_of_the_measurement_decodes_exactly()
    {
        var config = OsImageVmConfig.Parse("""{"memory_size":1,"tdx_measurement":{"checksum_file":"AQID","measurement":"/+8="}}""");

        Assert.Equal([1, 2, 3], config.TdxMeasurement!.ChecksumFile);
        Assert.Equal([0xff, 0xef], config.TdxMeasurement.Measurement);
    }
}

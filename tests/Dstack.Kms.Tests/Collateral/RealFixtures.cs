using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;
using Dstack.Tests;

namespace Dstack.Kms.Tests.Collateral;

/// <summary>The Intel-signed quotes and collateral of <c>fixtures/collateral/</c> and their times (spec dcap-collateral §6).</summary>
internal static class RealFixtures
{
    public static readonly DateTimeOffset UpToDateNow = DateTimeOffset.FromUnixTimeSeconds(1752919234);   // 2025-07-19T10:00:34Z

    public static readonly DateTimeOffset OutdatedNow = DateTimeOffset.FromUnixTimeSeconds(1774003274);   // 2026-03-20T10:41:14Z

    public static TdxQuote Quote(string name) => TdxQuote.Parse(SharedFiles.ReadFixture("collateral/" + name));

    public static DcapCollateral Collateral(string name) => DcapCollateral.FromJson(File.ReadAllText(SharedFiles.Fixture($"collateral/{name}_collateral.json")));
}

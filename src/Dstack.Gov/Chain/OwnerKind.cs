namespace Dstack.Gov.Chain;

/// <summary>What kind of account owns a governance contract.</summary>
internal enum OwnerKind
{
    /// <summary>No code: a single private key (an externally owned account).</summary>
    ExternallyOwnedAccount,

    /// <summary>A Safe multisig (answers <c>getThreshold()</c> and <c>getOwners()</c>).</summary>
    Safe,

    /// <summary>An OpenZeppelin <c>TimelockController</c> (answers <c>getMinDelay()</c>).</summary>
    Timelock,

    /// <summary>A contract of another kind.</summary>
    OtherContract,
}

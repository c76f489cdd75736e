using System.Numerics;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;

namespace Dstack.Gov.Chain;

/// <summary>
/// Tells an EOA, a Safe and a TimelockController apart by what they answer: no code is an EOA; <c>getThreshold()</c>
/// and <c>getOwners()</c> is a Safe; <c>getMinDelay()</c> is a timelock.
/// </summary>
internal static class OwnerInspector
{
    private static readonly AbiFunction GetThreshold = AbiFunction.Parse("getThreshold()", "uint256");
    private static readonly AbiFunction GetOwners = AbiFunction.Parse("getOwners()", "address[]");
    private static readonly AbiFunction GetMinDelay = AbiFunction.Parse("getMinDelay()", "uint256");

    public static async Task<OwnerDescription> InspectAsync(EthereumRpcClient rpc, EvmAddress owner, BlockTag block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        var code = await rpc.GetCodeAsync(owner, block, cancellationToken).ConfigureAwait(false);
        if (code.Length == 0)
        {
            return new OwnerDescription(owner, OwnerKind.ExternallyOwnedAccount);
        }

        if (await TryCallAsync(rpc, owner, GetThreshold, block, cancellationToken).ConfigureAwait(false) is [BigInteger threshold]
            && await TryCallAsync(rpc, owner, GetOwners, block, cancellationToken).ConfigureAwait(false) is [object?[] signers])
        {
            return new OwnerDescription(owner, OwnerKind.Safe, threshold, signers.OfType<EvmAddress>().ToArray());
        }

        if (await TryCallAsync(rpc, owner, GetMinDelay, block, cancellationToken).ConfigureAwait(false) is [BigInteger delay])
        {
            return new OwnerDescription(owner, OwnerKind.Timelock, MinDelay: delay);
        }

        return new OwnerDescription(owner, OwnerKind.OtherContract);
    }

    private static async Task<object?[]?> TryCallAsync(EthereumRpcClient rpc, EvmAddress target, AbiFunction function, BlockTag block, CancellationToken cancellationToken)
    {
        try
        {
            var data = await rpc.CallAsync(new CallRequest { To = target, Data = function.EncodeCall() }, block, cancellationToken).ConfigureAwait(false);
            return data.Length == 0 ? null : function.DecodeOutput(data);
        }
        catch (EthereumRpcException)
        {
            return null; // reverted: the contract has no such function
        }
        catch (AbiException)
        {
            return null; // answered something else
        }
    }
}

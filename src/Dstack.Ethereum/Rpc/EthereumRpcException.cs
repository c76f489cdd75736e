using Dstack.Ethereum.Abi;

namespace Dstack.Ethereum.Rpc;

/// <summary>The node answered with a JSON-RPC error (for <c>eth_call</c>/<c>eth_estimateGas</c> usually a revert).</summary>
public sealed class EthereumRpcException : EthereumException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="method">The JSON-RPC method.</param>
    /// <param name="code">The JSON-RPC error code.</param>
    /// <param name="rpcMessage">The node's message.</param>
    /// <param name="revertData">Revert data from the error's <c>data</c> field, if any.</param>
    /// <param name="revert">The decoded revert reason, if any.</param>
    public EthereumRpcException(string method, long code, string rpcMessage, byte[]? revertData, RevertReason? revert)
        : base($"{method} failed: {rpcMessage} (code {code})" + (revert is null ? string.Empty : $"; revert: {revert}"))
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        RevertData = revertData;
        Revert = revert;
    }

    /// <summary>The JSON-RPC method that failed.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC error code (3 = execution reverted on geth/anvil).</summary>
    public long Code { get; }

    /// <summary>The node's message.</summary>
    public string RpcMessage { get; }

    /// <summary>Revert data, when the node supplied it.</summary>
    public byte[]? RevertData { get; }

    /// <summary>The revert reason decoded from <see cref="RevertData"/>.</summary>
    public RevertReason? Revert { get; }

    /// <summary>Decodes <see cref="RevertData"/> again, also matching a contract's custom errors.</summary>
    /// <param name="knownErrors">The contract's errors.</param>
    /// <returns>The reason, or null without revert data.</returns>
    public RevertReason? DecodeRevert(IEnumerable<AbiError> knownErrors) =>
        RevertData is null ? null : RevertReason.Decode(RevertData, knownErrors);
}

using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;

namespace Dstack.Ethereum.Contracts;

/// <summary>A log decoded against a contract's ABI.</summary>
/// <param name="Event">The event definition.</param>
/// <param name="Values">One value per event input, in declaration order.</param>
/// <param name="Log">The raw log (block, transaction, index).</param>
public sealed record ContractEvent(AbiEvent Event, IReadOnlyList<object?> Values, LogEntry Log)
{
    /// <summary>The event name.</summary>
    public string Name => Event.Name;

    /// <summary>Gets an argument by parameter name.</summary>
    /// <param name="name">The parameter name from the ABI.</param>
    /// <returns>The decoded value.</returns>
    public object? this[string name]
    {
        get
        {
            for (var i = 0; i < Event.Inputs.Count; i++)
            {
                if (Event.Inputs[i].Name == name)
                {
                    return Values[i];
                }
            }

            throw new KeyNotFoundException("Event " + Event.Name + " has no parameter " + name);
        }
    }
}

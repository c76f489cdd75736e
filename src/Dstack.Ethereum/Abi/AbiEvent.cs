using System.Globalization;

namespace Dstack.Ethereum.Abi;

/// <summary>A contract event: its topic and the decoding of a log's topics and data.</summary>
public sealed class AbiEvent
{
    /// <summary>Creates an event description.</summary>
    /// <param name="name">The event name.</param>
    /// <param name="inputs">Its parameters, with <see cref="AbiParameter.Indexed"/> set for topics.</param>
    /// <param name="anonymous">True if the event has no signature topic.</param>
    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Inputs = [.. inputs];
        Anonymous = anonymous;
        Signature = AbiSignature.Of(name, Inputs);
        Topic = AbiSignature.Hash(Signature);
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The parameters in declaration order.</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>True for anonymous events.</summary>
    public bool Anonymous { get; }

    /// <summary>The canonical signature, e.g. <c>ComposeHashAdded(bytes32)</c>.</summary>
    public string Signature { get; }

    /// <summary>Keccak-256 of the signature: topic 0 of every log of this event.</summary>
    public byte[] Topic { get; }

    /// <summary>
    /// Decodes a log. Indexed static values come from the topics; indexed dynamic values (strings, bytes, arrays,
    /// tuples) are only their 32-byte Keccak-256 hash, returned as <c>byte[]</c>.
    /// </summary>
    /// <param name="topics">The log's topics (topic 0 first unless anonymous).</param>
    /// <param name="data">The log's data.</param>
    /// <returns>One value per input, in declaration order.</returns>
    public object?[] Decode(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var first = Anonymous ? 0 : 1;
        var indexed = Inputs.Where(i => i.Indexed).ToArray();
        if (topics.Count != first + indexed.Length)
        {
            throw new AbiException($"Event {Signature}: expected {first + indexed.Length} topics, got {topics.Count}");
        }

        if (!Anonymous && !topics[0].AsSpan().SequenceEqual(Topic))
        {
            throw new AbiException($"Event {Signature}: topic 0 does not match");
        }

        var unindexed = AbiDecoder.Decode(Inputs.Where(i => !i.Indexed).ToArray(), data);
        var values = new object?[Inputs.Count];
        int topicIndex = first, dataIndex = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var input = Inputs[i];
            var name = input.Name.Length > 0 ? input.Name : "#" + i.ToString(CultureInfo.InvariantCulture);
            if (!input.Indexed)
            {
                values[i] = unindexed[dataIndex++];
            }
            else if (input.Type.IsDynamic || input.Type.Kind is AbiTypeKind.Tuple or AbiTypeKind.FixedArray)
            {
                var topic = topics[topicIndex++];
                values[i] = topic.Length == 32 ? topic.ToArray() : throw new AbiException($"Parameter '{name}': a topic is 32 bytes");
            }
            else
            {
                values[i] = AbiDecoder.DecodeWord(input.Type, topics[topicIndex++], name);
            }
        }

        return values;
    }

    /// <inheritdoc />
    public override string ToString() => Signature;
}

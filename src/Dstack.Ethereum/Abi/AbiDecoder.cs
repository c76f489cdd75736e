using System.Globalization;
using System.Numerics;
using System.Text;

namespace Dstack.Ethereum.Abi;

/// <summary>
/// Strict Solidity ABI decoding: every offset and length must lie inside the data, padding and unused high bits must
/// be zero, booleans must be 0 or 1, strings must be valid UTF-8. Errors name the parameter.
/// </summary>
public static class AbiDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a parameter list (for example a function's outputs).</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="data">The encoding.</param>
    /// <returns>One value per parameter; see <see cref="AbiTypeKind"/> for the CLR types.</returns>
    public static object?[] Decode(IReadOnlyList<AbiParameter> parameters, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var reader = new Reader(data.ToArray());
        return reader.DecodeSequence(
            0,
            parameters.Select(p => p.Type).ToArray(),
            parameters.Select((p, i) => p.Name.Length > 0 ? p.Name : "#" + i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            string.Empty);
    }

    /// <summary>Decodes values of the given types.</summary>
    /// <param name="types">The types.</param>
    /// <param name="data">The encoding.</param>
    /// <returns>One value per type.</returns>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Decode(types.Select(t => new AbiParameter(string.Empty, t)).ToArray(), data);
    }

    /// <summary>Decodes one 32-byte word as a static value of <paramref name="type"/> (used for event topics).</summary>
    /// <param name="type">A static elementary type.</param>
    /// <param name="word">32 bytes.</param>
    /// <param name="name">The parameter name for errors.</param>
    /// <returns>The value.</returns>
    internal static object? DecodeWord(AbiType type, ReadOnlySpan<byte> word, string name)
    {
        if (word.Length != 32)
        {
            throw new AbiException($"Parameter '{name}': a topic is 32 bytes, got {word.Length}");
        }

        return new Reader(word.ToArray()).DecodeValue(0, type, name);
    }

    private sealed class Reader(byte[] data)
    {
        private readonly byte[] _data = data;

        // Offsets may point at the same bytes many times; cap the total work at a few times the input size.
        private long _budget = Math.Max(4L * data.Length, 1L << 16);

        public object?[] DecodeSequence(long start, AbiType[] types, string[] names, string path)
        {
            var values = new object?[types.Length];
            var headPosition = start;
            for (var i = 0; i < types.Length; i++)
            {
                var name = Join(path, names[i]);
                var type = types[i];
                if (type.IsDynamic)
                {
                    var offset = ReadLength(headPosition, name, "offset");
                    var target = start + offset;
                    if (target >= _data.Length || target < start)
                    {
                        throw new AbiException($"Parameter '{name}': offset {offset} points outside the data ({_data.Length} bytes)");
                    }

                    values[i] = DecodeValue(target, type, name);
                    headPosition += 32;
                }
                else
                {
                    values[i] = DecodeValue(headPosition, type, name);
                    headPosition += type.HeadSize;
                }
            }

            return values;
        }

        public object? DecodeValue(long position, AbiType type, string name)
        {
            switch (type.Kind)
            {
                case AbiTypeKind.UnsignedNumber:
                    {
                        var word = Word(position, name);
                        var value = new BigInteger(word, isUnsigned: true, isBigEndian: true);
                        if (value.GetBitLength() > type.Size)
                        {
                            throw new AbiException($"Parameter '{name}': value does not fit {type.CanonicalName}");
                        }

                        return value;
                    }

                case AbiTypeKind.SignedNumber:
                    {
                        var word = Word(position, name);
                        var value = new BigInteger(word, isUnsigned: false, isBigEndian: true);
                        var limit = BigInteger.One << (type.Size - 1);
                        if (value < -limit || value >= limit)
                        {
                            throw new AbiException($"Parameter '{name}': value is not a sign-extended {type.CanonicalName}");
                        }

                        return value;
                    }

                case AbiTypeKind.Address:
                    {
                        var word = Word(position, name);
                        if (word.AsSpan(0, 12).ContainsAnyExcept((byte)0))
                        {
                            throw new AbiException($"Parameter '{name}': address has non-zero high bytes");
                        }

                        return new EvmAddress(word.AsSpan(12));
                    }

                case AbiTypeKind.Bool:
                    {
                        var word = Word(position, name);
                        if (word.AsSpan(0, 31).ContainsAnyExcept((byte)0) || word[31] > 1)
                        {
                            throw new AbiException($"Parameter '{name}': bool must be 0 or 1");
                        }

                        return word[31] == 1;
                    }

                case AbiTypeKind.FixedBytes:
                    {
                        var word = Word(position, name);
                        if (word.AsSpan(type.Size).ContainsAnyExcept((byte)0))
                        {
                            throw new AbiException($"Parameter '{name}': {type.CanonicalName} has non-zero padding");
                        }

                        return word[..type.Size];
                    }

                case AbiTypeKind.Bytes:
                    return ReadDynamicBytes(position, name);

                case AbiTypeKind.Text:
                    try
                    {
                        return StrictUtf8.GetString(ReadDynamicBytes(position, name));
                    }
                    catch (DecoderFallbackException ex)
                    {
                        throw new AbiException($"Parameter '{name}': string is not valid UTF-8", ex);
                    }

                case AbiTypeKind.FixedArray:
                    return DecodeSequence(position, Enumerable.Repeat(type.Element!, type.Size).ToArray(), Indexes(type.Size), name);

                case AbiTypeKind.Array:
                    {
                        var count = ReadLength(position, name, "array length");
                        var available = _data.Length - (position + 32);
                        if (count > available / Math.Max(32, type.Element!.HeadSize))
                        {
                            throw new AbiException($"Parameter '{name}': array length {count} exceeds the data");
                        }

                        var n = (int)count;
                        return DecodeSequence(position + 32, Enumerable.Repeat(type.Element!, n).ToArray(), Indexes(n), name);
                    }

                default:
                    return DecodeSequence(
                        position,
                        type.Components.Select(c => c.Type).ToArray(),
                        type.Components.Select((c, i) => c.Name.Length > 0 ? "." + c.Name : "." + i.ToString(CultureInfo.InvariantCulture)).ToArray(),
                        name);
            }
        }

        private byte[] ReadDynamicBytes(long position, string name)
        {
            var length = ReadLength(position, name, "length");
            var start = position + 32;
            var padded = (length + 31) / 32 * 32;
            if (padded > _data.Length - start)
            {
                throw new AbiException($"Parameter '{name}': length {length} exceeds the data");
            }

            if (_data.AsSpan((int)(start + length), (int)(padded - length)).ContainsAnyExcept((byte)0))
            {
                throw new AbiException($"Parameter '{name}': non-zero padding");
            }

            Spend(length, name);
            return _data.AsSpan((int)start, (int)length).ToArray();
        }

        private long ReadLength(long position, string name, string what)
        {
            var word = Word(position, name);
            if (word.AsSpan(0, 28).ContainsAnyExcept((byte)0) || (word[28] & 0x80) != 0)
            {
                throw new AbiException($"Parameter '{name}': {what} is out of range");
            }

            var value = ((long)word[28] << 24) | ((long)word[29] << 16) | ((long)word[30] << 8) | word[31];
            if (value > _data.Length)
            {
                throw new AbiException($"Parameter '{name}': {what} {value} exceeds the data ({_data.Length} bytes)");
            }

            return value;
        }

        private byte[] Word(long position, string name)
        {
            if (position < 0 || position > _data.Length - 32)
            {
                throw new AbiException($"Parameter '{name}': data too short (needs bytes {position}..{position + 32}, has {_data.Length})");
            }

            Spend(32, name);
            return _data.AsSpan((int)position, 32).ToArray();
        }

        private void Spend(long amount, string name)
        {
            _budget -= amount;
            if (_budget < 0)
            {
                throw new AbiException($"Parameter '{name}': the data references itself too often to decode");
            }
        }

        private static string[] Indexes(int count) =>
            Enumerable.Range(0, count).Select(i => "[" + i.ToString(CultureInfo.InvariantCulture) + "]").ToArray();

        private static string Join(string path, string name) =>
            path.Length == 0 ? name : name.StartsWith('[') || name.StartsWith('.') ? path + name : path + "." + name;
    }
}

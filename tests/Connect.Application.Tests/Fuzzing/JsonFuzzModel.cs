using System.Globalization;
using System.Text;
using CsCheck;

namespace Connect.Application.Tests.Fuzzing;

internal enum FuzzKind
{
    String,
    Integer,
    Number,
    Literal,
    Container,
    Invalid,
}

/// <summary>
/// One JSON value as the fuzzer writes it, with what the contract's rules need to know about it: a string's
/// text (possibly holding a lone surrogate), an integer's value, a container's nesting depth, and whether it
/// hides a duplicated member or is not JSON at all.
/// </summary>
internal sealed record FuzzValue(FuzzKind Kind, string Json, string? Text = null, long Integer = 0, int Depth = 0, bool Duplicates = false)
{
    public bool IsWellFormedString => Kind == FuzzKind.String && !HasLoneSurrogate(Text!);

    public static FuzzValue Str(string text) => new(FuzzKind.String, "", text);

    public static FuzzValue Int(long value) => new(FuzzKind.Integer, value.ToString(CultureInfo.InvariantCulture), Integer: value);

    public static FuzzValue Raw(FuzzKind kind, string json, int depth = 0, bool duplicates = false) => new(kind, json, Depth: depth, Duplicates: duplicates);

    public static FuzzValue Nested(int depth) => Raw(FuzzKind.Container, new string('[', depth) + new string(']', depth), depth);

    public override string ToString() => Kind == FuzzKind.String ? $"\"{Escape(Text!)}\"" : Json;

    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c < 0x20 || c > 0x7E || c is '"' or '\\' ? $"\\u{(int)c:x4}" : c.ToString()));
}

/// <summary>A member of a JSON object: its name (as meant, before any escaping) and value.</summary>
internal sealed record FuzzMember(string Name, FuzzValue Value, bool EscapeName = false);

/// <summary>One change to a valid token's header or payload, before it is re-signed.</summary>
internal abstract record FuzzMutation(bool Header, string Name)
{
    public sealed record Set(bool Header, string Name, FuzzValue Value) : FuzzMutation(Header, Name);

    public sealed record Remove(bool Header, string Name) : FuzzMutation(Header, Name);

    public sealed record Duplicate(bool Header, string Name, FuzzValue Value, bool EscapeName) : FuzzMutation(Header, Name);

    public void ApplyTo(List<FuzzMember> header, List<FuzzMember> payload)
    {
        var members = Header ? header : payload;
        switch (this)
        {
            case Set set:
                var at = members.FindIndex(member => member.Name == Name);
                if (at >= 0)
                {
                    members[at] = new FuzzMember(Name, set.Value);
                }
                else
                {
                    members.Add(new FuzzMember(Name, set.Value));
                }

                break;
            case Remove:
                members.RemoveAll(member => member.Name == Name);
                break;
            case Duplicate duplicate:
                members.Add(new FuzzMember(Name, duplicate.Value, duplicate.EscapeName));
                break;
        }
    }
}

/// <summary>
/// Writes a JSON object from members with random but meaning-preserving spelling: member order, whitespace,
/// \u escapes in names and strings, raw or escaped non-ASCII. Every choice comes from one seed, so a failing
/// case is reproduced by CsCheck's seed.
/// </summary>
internal static class FuzzJsonWriter
{
    private static readonly string[] Whitespace = ["", "", "", " ", "\n", "\t", "\r\n  "];

    public static string Write(IReadOnlyList<FuzzMember> members, Random random)
    {
        var ordered = random.Next(4) == 0 ? members.OrderBy(_ => random.Next()).ToList() : members;
        var json = new StringBuilder("{");
        for (var i = 0; i < ordered.Count; i++)
        {
            var member = ordered[i];
            json.Append(i == 0 ? "" : ",").Append(Space(random)).Append('"')
                .Append(WriteString(member.Name, random, member.EscapeName ? 1 : 8)).Append('"')
                .Append(Space(random)).Append(':').Append(Space(random))
                .Append(member.Value.Kind == FuzzKind.String
                    ? $"\"{WriteString(member.Value.Text!, random, 8)}\""
                    : member.Value.Json)
                .Append(Space(random));
        }

        return json.Append('}').ToString();
    }

    private static string Space(Random random) => Whitespace[random.Next(Whitespace.Length)];

    /// <summary>The string's JSON spelling; each character escaped with probability 1/<paramref name="oneIn"/>.</summary>
    private static string WriteString(string text, Random random, int oneIn)
    {
        var json = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (c is '"' or '\\' || c < 0x20 || (char.IsSurrogate(c) && !pair) || random.Next(oneIn) == 0)
            {
                json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else if (pair)
            {
                json.Append(c).Append(text[++i]);
            }
            else
            {
                json.Append(c);
            }
        }

        return json.ToString();
    }
}

/// <summary>The generators: values chosen around every boundary of the contract, and mutations built from them.</summary>
internal static class FuzzGen
{
    public static readonly string[] HeaderNames =
        ["alg", "typ", "kid", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "zip", "enc", "b64", "iss", "x"];

    public static readonly string[] PayloadNames =
        ["iss", "sub", "aud", "iat", "exp", "nbf", "jti", "body_sha256", "azp", "scope", "alg", "x"];

    /// <summary>Characters that stress escaping and UTF-16: quotes, controls, NUL, non-ASCII, lone and paired surrogates.</summary>
    private static readonly Gen<string> AwkwardString =
        Gen.Char["aZ0-_ .\"\\/\u0000\u0001\n\u007f\u00e9\u2028\ufeff\ud800\udc00\ud83d\udd11"].Array[0, 12].Select(chars => new string(chars));

    public static Gen<FuzzValue> Values(long now, IReadOnlyList<string> knownStrings)
    {
        var strings = Gen.OneOf(
            Gen.OneOf([.. knownStrings.Select(FuzzValue.Str)]),
            AwkwardString.Select(FuzzValue.Str),
            Gen.Int[0, 140].Select(length => FuzzValue.Str(new string('j', length))));
        long[] offsets = [0, 1, -1, 29, 30, 31, -29, -30, -31, 59, 60, 61, -59, -60, -61, 89, 90, 91];
        var integers = Gen.OneOf(
            Gen.OneOf([.. offsets.Select(offset => FuzzValue.Int(now + offset))]),
            Gen.OneOf(FuzzValue.Int(0), FuzzValue.Int(-1), FuzzValue.Int(long.MinValue), FuzzValue.Int(long.MaxValue),
                new FuzzValue(FuzzKind.Integer, "-0", Integer: 0)),
            Gen.Long.Select(FuzzValue.Int));
        var others = Gen.OneOf(
            FuzzValue.Raw(FuzzKind.Number, $"{now}.0"),
            FuzzValue.Raw(FuzzKind.Number, "1.7e9"),
            FuzzValue.Raw(FuzzKind.Number, "17E8"),
            FuzzValue.Raw(FuzzKind.Number, $"{now + 30}.5"),
            FuzzValue.Raw(FuzzKind.Number, "9223372036854775808"),
            FuzzValue.Raw(FuzzKind.Number, "-9223372036854775809"),
            FuzzValue.Raw(FuzzKind.Number, "1e400"),
            FuzzValue.Raw(FuzzKind.Literal, "true"),
            FuzzValue.Raw(FuzzKind.Literal, "false"),
            FuzzValue.Raw(FuzzKind.Literal, "null"),
            FuzzValue.Raw(FuzzKind.Container, "[]", 1),
            FuzzValue.Raw(FuzzKind.Container, "{}", 1),
            FuzzValue.Raw(FuzzKind.Container, """["sudomimus-connect"]""", 1),
            FuzzValue.Raw(FuzzKind.Container, """{"a":1,"b":[2]}""", 2),
            FuzzValue.Raw(FuzzKind.Container, """{"a":1,"a":2}""", 1, duplicates: true),
            FuzzValue.Raw(FuzzKind.Container, """{"a":1,"\u0061":2}""", 1, duplicates: true),
            FuzzValue.Raw(FuzzKind.Invalid, "01"),
            FuzzValue.Raw(FuzzKind.Invalid, "NaN"),
            FuzzValue.Raw(FuzzKind.Invalid, "'x'"),
            FuzzValue.Raw(FuzzKind.Invalid, "[1,]"),
            FuzzValue.Raw(FuzzKind.Invalid, "\"\\x\""),
            FuzzValue.Raw(FuzzKind.Invalid, "\"tab\tinside\""));
        return Gen.Frequency(
            (4, strings),
            (4, integers),
            (2, others),
            (1, Gen.Int[1, 12].Select(FuzzValue.Nested)));
    }

    public static Gen<FuzzMutation> Mutations(Gen<FuzzValue> values) =>
        from header in Gen.Bool
        from name in Gen.OneOf(header ? HeaderNames : PayloadNames)
        from kind in Gen.Int[0, 9]
        from value in values
        from escape in Gen.Bool
        select kind switch
        {
            < 6 => (FuzzMutation)new FuzzMutation.Set(header, name, value),
            < 8 => new FuzzMutation.Remove(header, name),
            _ => new FuzzMutation.Duplicate(header, name, value, escape),
        };
}

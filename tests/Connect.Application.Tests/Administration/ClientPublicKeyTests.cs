using System.Buffers.Text;
using System.Security.Cryptography;
using Connect.Application.Administration;

namespace Connect.Application.Tests.Administration;

public sealed class ClientPublicKeyTests
{
    [Fact]
    public void Key_id_is_the_RFC_7638_thumbprint_of_the_key()
    {
        // RFC 7638 §3.1, the example key and its thumbprint.
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMst" +
                "n64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n" +
                "91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"),
            Exponent = Base64Url.DecodeFromChars("AQAB"),
        });

        var read = ClientPublicKey.TryFromPem(rsa.ExportSubjectPublicKeyInfoPem(), out var key, out _);

        Assert.True(read);
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key!.Id.Value);
    }

    [Fact]
    public void RSA_public_key_of_2048_bits_is_accepted()
    {
        using var rsa = RSA.Create(2048);

        var read = ClientPublicKey.TryFromPem(rsa.ExportSubjectPublicKeyInfoPem(), out var key, out var problem);

        Assert.True(read);
        Assert.Null(problem);
        Assert.Equal(2048, key!.Bits);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), key.SubjectPublicKeyInfo.ToArray());
    }

    [Fact]
    public void RSA_key_of_1024_bits_is_too_small()
    {
        using var rsa = RSA.Create(1024);

        var read = ClientPublicKey.TryFromPem(rsa.ExportSubjectPublicKeyInfoPem(), out _, out var problem);

        Assert.False(read);
        Assert.Equal("the RSA key has 1024 bits; at least 2048 are required", problem);
    }

    [Fact]
    public void RSA_public_key_of_4096_bits_is_accepted()
    {
        var read = ClientPublicKey.TryFromSubjectPublicKeyInfo(PublicKey(bits: 4096, Exponent65537), out var key, out var problem);

        Assert.True(read, problem);
        Assert.Equal(4096, key!.Bits);
    }

    [Fact]
    public void RSA_key_of_more_than_4096_bits_is_too_large()
    {
        var read = ClientPublicKey.TryFromSubjectPublicKeyInfo(PublicKey(bits: 4104, Exponent65537), out _, out var problem);

        Assert.False(read);
        Assert.Equal("the RSA key has 4104 bits; at most 4096 are accepted", problem);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(65539)]
    public void RSA_key_with_a_small_public_exponent_other_than_65537_is_refused(int exponent)
    {
        var bytes = new[] { (byte)(exponent >> 16), (byte)(exponent >> 8), (byte)exponent }.AsSpan().TrimStart((byte)0).ToArray();

        var read = ClientPublicKey.TryFromSubjectPublicKeyInfo(PublicKey(bits: 2048, bytes), out _, out var problem);

        Assert.False(read);
        Assert.Equal("the RSA key's public exponent is not 65537", problem);
    }

    [Fact]
    public void RSA_key_with_a_huge_public_exponent_is_refused()
    {
        // The experiment: a 3,072-bit modulus with a 3,070-bit exponent costs ~130 times a normal verify.
        var exponent = RandomOdd(bits: 3070);

        var read = ClientPublicKey.TryFromSubjectPublicKeyInfo(PublicKey(bits: 3072, exponent), out _, out var problem);

        Assert.False(read);
        Assert.Equal("the RSA key's public exponent is not 65537", problem);
    }

    private static readonly byte[] Exponent65537 = [0x01, 0x00, 0x01];

    /// <summary>A public key of exactly <paramref name="bits"/> bits; a public key needs no primes to be imported.</summary>
    private static byte[] PublicKey(int bits, byte[] exponent)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = RandomOdd(bits), Exponent = exponent });
        return rsa.ExportSubjectPublicKeyInfo();
    }

    private static byte[] RandomOdd(int bits)
    {
        var bytes = RandomNumberGenerator.GetBytes((bits + 7) / 8);
        var topBits = bits % 8 == 0 ? 8 : bits % 8;
        bytes[0] = (byte)((bytes[0] & ((1 << topBits) - 1)) | (1 << (topBits - 1)));
        bytes[^1] |= 1;
        return bytes;
    }

    [Fact]
    public void EC_public_key_is_not_an_RSA_key()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var read = ClientPublicKey.TryFromPem(ec.ExportSubjectPublicKeyInfoPem(), out _, out var problem);

        Assert.False(read);
        Assert.Equal("not an RSA public key", problem);
    }

    [Theory]
    [MemberData(nameof(NotPublicKeyPems))]
    public void Anything_but_a_PUBLIC_KEY_PEM_is_refused(string pem)
    {
        var read = ClientPublicKey.TryFromPem(pem, out _, out var problem);

        Assert.False(read);
        Assert.Equal("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)", problem);
    }

    public static TheoryData<string> NotPublicKeyPems()
    {
        using var rsa = RSA.Create(2048);
        return new TheoryData<string>
        {
            rsa.ExportPkcs8PrivateKeyPem(),
            rsa.ExportRSAPublicKeyPem(),
            "garbage that is no PEM at all",
            "",
        };
    }

    [Fact]
    public void FromPem_still_throws_for_the_same_refusals()
    {
        using var rsa = RSA.Create(1024);

        var act = () => ClientPublicKey.FromPem(rsa.ExportSubjectPublicKeyInfoPem());

        Assert.Throws<ArgumentException>(act);
    }
}

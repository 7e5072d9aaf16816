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

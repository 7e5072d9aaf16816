using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Connect.Application.SessionTokens;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Benchmarks.Micro;

/// <summary>
/// The session-token codec as <c>/refresh</c> uses it, with the service's own key handling (a
/// <see cref="TokenSigningKey"/> decrypted once and held): one token signed, and one refresh token read and verified.
/// A rotation signs two tokens (refresh and access) and verifies one, which is what docs/contract/bench.md's
/// <c>refresh_cpu_vs_signing</c> divides by.
/// </summary>
public class SessionTokenBenchmarks
{
    private RSA _privateKey = null!;
    private RSA _publicKey = null!;
    private TokenSigningKey _signingKey = null!;
    private TokenVerificationKey _verificationKey = null!;
    private SessionTokenCodec _codec = null!;
    private RefreshTokenClaims _claims = null!;
    private string _refreshToken = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _privateKey = RSA.Create(2048);
        _publicKey = RSA.Create();
        _publicKey.ImportSubjectPublicKeyInfo(_privateKey.ExportSubjectPublicKeyInfo(), out _);
        // A thumbprint-sized key id, as the service's keys have (RFC 7638: 43 characters of base64url).
        var keyId = SessionTokenCodec.NewOpaqueId();
        _signingKey = new TokenSigningKey(keyId, _privateKey);
        _verificationKey = new TokenVerificationKey(keyId, _publicKey);
        _codec = new SessionTokenCodec(new FixedClock(now), Options.Create(new SessionTokenOptions { Issuer = "https://connect.example" }));
        _claims = _codec.NewRefreshClaims(
            new ApplicationAnchor(SignedRequest.Anchor), SessionTokenCodec.NewOpaqueId(), rotationVersion: 2, now.AddDays(30));
        _refreshToken = _codec.Mint(_claims, _signingKey);

        if (TokenSign() != _refreshToken || !RefreshTokenRead())
        {
            throw new InvalidOperationException("The benchmark token does not pass the checks it is meant to time.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _privateKey.Dispose();
        _publicKey.Dispose();
    }

    /// <summary>One refresh token minted: its header and claims written, RS256 signed, base64url encoded.</summary>
    [Benchmark]
    public string TokenSign() => _codec.Mint(_claims, _signingKey);

    /// <summary>One refresh token read (structure, types, claims) and its signature verified with the held public key.</summary>
    [Benchmark]
    public bool RefreshTokenRead()
    {
        var read = _codec.ReadRefresh(_refreshToken);
        return read.Succeeded && _codec.Verifies(read.Value!, _verificationKey);
    }
}

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Benchmarks.Micro;

/// <summary>
/// The client-JWT policy end to end with in-memory ports, against what it cannot avoid: one RSA verification of
/// the same bytes, and the body hash.
/// </summary>
public class ClientJwtBenchmarks
{
    private RSA _signingKey = null!;
    private RSA _verifyingKey = null!;
    private SignedRequest _request = null!;
    private ClientJwtPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _signingKey = RSA.Create(2048);
        var spki = _signingKey.ExportSubjectPublicKeyInfo();
        _verifyingKey = RSA.Create();
        _verifyingKey.ImportSubjectPublicKeyInfo(spki, out _);
        _request = new SignedRequest(_signingKey, now);

        var application = new ClientApplication(
            new AppId(Guid.CreateVersion7()),
            new ApplicationAnchor(SignedRequest.Anchor),
            new SectorId(Guid.CreateVersion7()),
            Revision: 1,
            Enabled: true,
            [new ClientKey(new KeyId("bench-key"), spki)]);
        _policy = new ClientJwtPolicy(
            new InMemoryApplications(application), new AlwaysFirstUse(), new FixedClock(now), Options.Create(new ClientJwtOptions()));

        if (!JwtValidate().GetAwaiter().GetResult() || !RsaVerify() || !BodySha256())
        {
            throw new InvalidOperationException("The benchmark request does not pass the checks it is meant to time.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _signingKey.Dispose();
        _verifyingKey.Dispose();
    }

    /// <summary>Everything the policy does for a valid request: parse, RS256 verify, claims, body hash, ports.</summary>
    [Benchmark]
    public async Task<bool> JwtValidate() =>
        (await _policy.AuthenticateAsync(_request.AuthorizationHeader, _request.Body, CancellationToken.None)).Succeeded;

    /// <summary>The floor under <see cref="JwtValidate"/>: RSASSA-PKCS1-v1_5 SHA-256 over the same signing input.</summary>
    [Benchmark]
    public bool RsaVerify() =>
        _verifyingKey.VerifyData(_request.SigningInput, _request.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>The body_sha256 check as the policy does it: SHA-256, standard base64, ordinal compare.</summary>
    [Benchmark]
    public bool BodySha256()
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(_request.Body, digest);
        return string.Equals(Convert.ToBase64String(digest), _request.BodySha256, StringComparison.Ordinal);
    }

    private sealed class InMemoryApplications(ClientApplication application) : IClientApplicationDirectory
    {
        private readonly Task<ClientApplication?> _found = Task.FromResult<ClientApplication?>(application);

        public Task<ClientApplication?> FindByAnchorAsync(ApplicationAnchor anchor, CancellationToken cancellationToken) => _found;
    }

    private sealed class AlwaysFirstUse : IClientJwtReplayStore
    {
        public Task<JtiRecording> TryRecordFirstUseAsync(
            AppId application, long revision, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
            Task.FromResult(JtiRecording.FirstUse);
    }
}

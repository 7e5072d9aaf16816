using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// One registered application with one RSA key, a fake directory and replay store, and a clock standing at
/// <see cref="Now"/>; mints tokens for that application and runs them through a fresh <see cref="ClientJwtPolicy"/>
/// (or one the test keeps, to see its cache). Like the real store, the fake records a jti only while the
/// application is at the revision the request was checked against.
/// </summary>
public sealed class ClientJwtPolicyHarness : IDisposable
{
    /// <summary>The fake clock's instant, an exact second.</summary>
    public const long Now = 1_700_000_000;

    public const string Anchor = "acme-app";

    private readonly Dictionary<ApplicationAnchor, ClientApplication> _registered = [];
    private readonly List<RSA> _keys = [];

    public ClientJwtPolicyHarness()
    {
        Key = NewKey();
        Application = new ClientApplication(
            new AppId(Guid.NewGuid()), new ApplicationAnchor(Anchor), new SectorId(Guid.NewGuid()), Revision: 1, Enabled: true,
            [KeyOf(Key)]);
        Register(Application);

        Directory.FindByAnchorAsync(Arg.Any<ApplicationAnchor>(), Arg.Any<CancellationToken>())
            .Returns(call => _registered.GetValueOrDefault(call.Arg<ApplicationAnchor>()));
        ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(call => call.ArgAt<long>(1) == Application.Revision ? JtiRecording.FirstUse : JtiRecording.ApplicationChanged);
    }

    /// <summary>The registered application's (first) private key.</summary>
    public RSA Key { get; }

    /// <summary>The application registered under <see cref="Anchor"/>; replace it with <see cref="Register"/>.</summary>
    public ClientApplication Application { get; private set; }

    public IClientApplicationDirectory Directory { get; } = Substitute.For<IClientApplicationDirectory>();

    public IClientJwtReplayStore ReplayStore { get; } = Substitute.For<IClientJwtReplayStore>();

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(Now));

    public ClientJwtOptions Options { get; } = new();

    public byte[] Body { get; set; } = RevokeAllBodies.For("subject-1");

    public static ClientKey KeyOf(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var registered = ClientPublicKey.FromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo());
        return new ClientKey(registered.Id, registered.SubjectPublicKeyInfo);
    }

    /// <summary>A 2048-bit key disposed with the harness.</summary>
    public RSA NewKey()
    {
        var key = RSA.Create(2048);
        _keys.Add(key);
        return key;
    }

    public void Register(ClientApplication application)
    {
        ArgumentNullException.ThrowIfNull(application);
        _registered[application.Anchor] = application;
        if (application.Anchor.Value == Anchor)
        {
            Application = application;
        }
    }

    /// <summary>A valid token for the registered application over <see cref="Body"/>, issued at <see cref="Now"/>.</summary>
    public TestClientJwt NewJwt() => new(Anchor, Key, DateTimeOffset.FromUnixTimeSeconds(Now), Body);

    public Task<Outcome<AuthenticatedApplication>> AuthenticateAsync(TestClientJwt jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        return AuthenticateAsync(jwt.AuthorizationHeader());
    }

    public Task<Outcome<AuthenticatedApplication>> AuthenticateAsync(
        string? authorization, CancellationToken cancellationToken = default) =>
        NewPolicy().AuthenticateAsync(authorization, Body, cancellationToken);

    public ClientJwtPolicy NewPolicy() =>
        new(Directory, ReplayStore, Clock, Microsoft.Extensions.Options.Options.Create(Options));

    public static string Header(string token) => $"{ClientJwtPolicy.Scheme} {token}";

    /// <summary>A rejected request must not burn the jti: the replay store is never written before the last check.</summary>
    public void AssertJtiNotBurned() =>
        ReplayStore.DidNotReceiveWithAnyArgs().TryRecordFirstUseAsync(default, default, default!, default, default);

    /// <summary>The jti was recorded once, for this application, kept until exp plus the 30 s skew.</summary>
    public void AssertJtiRecorded(TestClientJwt jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        var jti = jwt.Payload["jti"]!.GetValue<string>();
        var keepUntil = DateTimeOffset.FromUnixTimeSeconds(jwt.Payload["exp"]!.GetValue<long>() + 30);
        ReplayStore.Received(1).TryRecordFirstUseAsync(
            Application.Id, Application.Revision, jti, keepUntil, Arg.Any<CancellationToken>());
        ReplayStore.ReceivedWithAnyArgs(1).TryRecordFirstUseAsync(default, default, default!, default, default);
    }

    public void AssertSucceeded(Outcome<AuthenticatedApplication> outcome)
    {
        Assert.Null(outcome.Failure);
        Assert.True(outcome.Succeeded);
        // The application; which accepted audience it used is asserted by the tests about audiences.
        Assert.Equal((Application.Id, Application.Anchor, Application.Sector), (outcome.Value!.Id, outcome.Value.Anchor, outcome.Value.Sector));
    }

    /// <summary>Fails with the exact reason, and the jti was left unburned.</summary>
    public void AssertRejectedBeforeReplay(ReasonCode expected, Outcome<AuthenticatedApplication> outcome)
    {
        Assert.False(outcome.Succeeded);
        Assert.Same(expected, outcome.Failure);
        AssertJtiNotBurned();
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}

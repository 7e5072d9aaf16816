using System.Net;
using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Connect.Domain.Applications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Api.Tests.Resilience;

/// <summary>
/// Two service instances over one database behave as one service. Each keeps the applications it has read (see
/// ClientApplicationCache), so the changes below are made after both have read, and cached, the application:
/// the staleness a caller can observe is zero.
/// </summary>
public sealed class MultiInstanceTests : IAsyncLifetime
{
    private readonly ConnectApi _first = new(new ConnectApiOptions
    {
        SeedApplication = false,
        Settings = new Dictionary<string, string?> { ["Connect:RateLimit:BurstLimit"] = "1000" },
    });

    private ConnectApi _second = null!;

    public async Task InitializeAsync()
    {
        await _first.InitializeAsync();
        _second = _first.With();
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    [Fact]
    public async Task Fifty_identical_requests_split_across_two_instances_yield_exactly_one_success()
    {
        var app = await _first.Db.RegisterApplicationAsync();
        var (account, subject) = await _first.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _first.Db.IssueSessionsAsync(account, app.Id, 4);
        var body = RevokeAllBodies.For(subject.Value);
        var header = new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader();
        var clients = new[] { _first.NewClient(), _second.NewClient() };

        var responses = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => clients[i % 2].SendAsync(ConnectApiFactory.Request(header, body)))));

        var ok = Assert.Single(responses, response => response.StatusCode == HttpStatusCode.OK);
        await ApiAssert.RevokedAsync(ok, 4);
        foreach (var replay in responses.Where(response => response != ok))
        {
            await ApiAssert.ReasonAsync(replay, HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        }
    }

    [Fact]
    public async Task Parallel_revocations_across_two_instances_never_double_count()
    {
        var app = await _first.Db.RegisterApplicationAsync();
        var (account, subject) = await _first.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _first.Db.IssueSessionsAsync(account, app.Id, 300);
        var instances = new[] { _first, _second };

        var responses = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => Task.Run(() => instances[i % 2].RevokeAllAsync(app, subject.Value))));

        var counts = await Task.WhenAll(responses.Select(ApiAssert.RevokedCountAsync));
        Assert.Equal(300, counts.Sum());
        Assert.Equal(new(0, 300, 0), await _first.Db.CountSessionsAsync(account, app.Id));
    }

    [Fact]
    public async Task Key_retired_and_application_disabled_are_refused_by_every_instance_at_once()
    {
        var app = await _first.Db.RegisterApplicationAsync();
        await ApiAssert.RevokedAsync(await _first.RevokeAllAsync(app, "s"), 0);
        await ApiAssert.RevokedAsync(await _second.RevokeAllAsync(app, "s"), 0);

        await _first.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var disabledOnFirst = await _first.RevokeAllAsync(app, "s");
        var disabledOnSecond = await _second.RevokeAllAsync(app, "s");
        await _first.Db.Applications.SetEnabledAsync(app.Anchor, true, CancellationToken.None);
        await _first.Db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None);
        var retiredOnFirst = await _first.RevokeAllAsync(app, "s");
        var retiredOnSecond = await _second.RevokeAllAsync(app, "s");

        await ApiAssert.ReasonAsync(disabledOnFirst, HttpStatusCode.Forbidden, "ApplicationDisabled");
        await ApiAssert.ReasonAsync(disabledOnSecond, HttpStatusCode.Forbidden, "ApplicationDisabled");
        await ApiAssert.ReasonAsync(retiredOnFirst, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        await ApiAssert.ReasonAsync(retiredOnSecond, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
    }

    [Fact]
    public async Task Application_enabled_again_and_key_added_are_accepted_by_every_instance_at_once()
    {
        var app = await _first.Db.RegisterApplicationAsync();
        await _first.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        await ApiAssert.ReasonAsync(await _first.RevokeAllAsync(app, "s"), HttpStatusCode.Forbidden, "ApplicationDisabled");
        await ApiAssert.ReasonAsync(await _second.RevokeAllAsync(app, "s"), HttpStatusCode.Forbidden, "ApplicationDisabled");
        using var added = RSA.Create(2048);
        var addedKey = ClientPublicKey.FromSubjectPublicKeyInfo(added.ExportSubjectPublicKeyInfo());

        await _first.Db.Applications.SetEnabledAsync(app.Anchor, true, CancellationToken.None);
        var enabledOnFirst = await _first.RevokeAllAsync(app, "s");
        var enabledOnSecond = await _second.RevokeAllAsync(app, "s");
        await _first.Db.Applications.AddKeyAsync(app.Anchor, addedKey, CancellationToken.None);
        var signedWithAdded = app with { Key = added };
        var addedOnFirst = await _first.RevokeAllAsync(signedWithAdded, "s");
        var addedOnSecond = await _second.RevokeAllAsync(signedWithAdded, "s");

        await ApiAssert.RevokedAsync(enabledOnFirst, 0);
        await ApiAssert.RevokedAsync(enabledOnSecond, 0);
        await ApiAssert.RevokedAsync(addedOnFirst, 0);
        await ApiAssert.RevokedAsync(addedOnSecond, 0);
    }

    [Fact]
    public async Task Application_registered_after_both_instances_found_its_anchor_unknown_is_accepted_by_both_within_a_second()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = _first.With(services: services => services.AddSingleton<TimeProvider>(clock));
        await using var second = _first.With(services: services => services.AddSingleton<TimeProvider>(clock));
        var anchor = $"later-{Guid.NewGuid():N}";
        using var key = RSA.Create(2048);
        var unregistered = new TestApplication(new ApplicationAnchor(anchor), default, default, key, default);
        await ApiAssert.ReasonAsync(await first.RevokeAllAsync(unregistered, "s"), HttpStatusCode.Unauthorized, "ClientJwtUnknownApplication");
        await ApiAssert.ReasonAsync(await second.RevokeAllAsync(unregistered, "s"), HttpStatusCode.Unauthorized, "ClientJwtUnknownApplication");

        var app = await _first.Db.RegisterApplicationAsync(anchor);
        var keptUnknownOnFirst = await first.RevokeAllAsync(app, "s");
        clock.Advance(TimeSpan.FromSeconds(1));
        var acceptedOnFirst = await first.RevokeAllAsync(app, "s");
        var acceptedOnSecond = await second.RevokeAllAsync(app, "s");

        // Within the second, the instance answers from the unknown anchor it kept: no read per forged request.
        await ApiAssert.ReasonAsync(keptUnknownOnFirst, HttpStatusCode.Unauthorized, "ClientJwtUnknownApplication");
        await ApiAssert.RevokedAsync(acceptedOnFirst, 0);
        await ApiAssert.RevokedAsync(acceptedOnSecond, 0);
    }
}

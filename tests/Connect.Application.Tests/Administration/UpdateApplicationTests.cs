using Connect.Application.Administration;
using Connect.Application.Administration.UpdateApplication;
using Connect.Application.Audit;
using Connect.Domain.Applications;
using NSubstitute;

namespace Connect.Application.Tests.Administration;

public sealed class UpdateApplicationTests
{
    private static readonly ApplicationAnchor Anchor = new("shop.example");

    private readonly IApplicationRegistry _applications = Substitute.For<IApplicationRegistry>();
    private readonly IOperatorAuditLog _audit = Substitute.For<IOperatorAuditLog>();

    private static string? FirstError(UpdateApplicationCommand command) =>
        new UpdateApplicationCommandValidator().Validate(command).Errors.FirstOrDefault()?.ErrorMessage;

    [Fact]
    public void Name_sign_up_and_hosts_within_their_bounds_are_valid() =>
        Assert.Null(FirstError(new UpdateApplicationCommand(
            Anchor.Value, "Shop ü", SignUpOpen: false, [.. Enumerable.Range(0, 32).Select(i => $"h{i}.example")])));

    [Theory]
    [InlineData("", "the name must not be empty")]
    [InlineData(" Shop", "the name must not begin or end with whitespace")]
    [InlineData("Shop\u0007", "the name must not contain control characters")]
    public void Empty_padded_or_unprintable_name_is_refused(string name, string message) =>
        Assert.Equal(message, FirstError(new UpdateApplicationCommand(Anchor.Value, name)));

    [Fact]
    public void Name_of_255_characters_is_valid_and_of_256_is_not()
    {
        Assert.Null(FirstError(new UpdateApplicationCommand(Anchor.Value, new string('n', 255))));
        Assert.Equal("the name must be at most 255 characters", FirstError(new UpdateApplicationCommand(Anchor.Value, new string('n', 256))));
    }

    [Fact]
    public void Thirty_three_distinct_hosts_are_refused_but_duplicates_count_once()
    {
        var many = Enumerable.Range(0, 33).Select(i => $"h{i}.example").ToList();
        var repeated = Enumerable.Repeat("shop.example", 40).ToList();

        Assert.Equal("at most 32 callback hosts are allowed", FirstError(new UpdateApplicationCommand(Anchor.Value, CallbackHosts: many)));
        Assert.Null(FirstError(new UpdateApplicationCommand(Anchor.Value, CallbackHosts: repeated)));
    }

    [Fact]
    public void A_bad_host_is_named_in_the_refusal() =>
        Assert.Equal(
            "the callback host 'shop.example:443' must be a host name alone, without a port",
            FirstError(new UpdateApplicationCommand(Anchor.Value, CallbackHosts: ["ok.example", "shop.example:443"])));

    [Fact]
    public async Task Changes_are_stored_normalized_once_each_and_audited()
    {
        ApplicationChanges? stored = null;
        var settings = new ApplicationSignInSettings(Anchor, "Shop", false, ["shop.example", "::1"], true);
        _applications.UpdateAsync(Anchor, Arg.Do<ApplicationChanges>(changes => stored = changes), Arg.Any<CancellationToken>())
            .Returns(settings);

        var outcome = await Handler().Handle(
            new UpdateApplicationCommand(Anchor.Value, "Shop", false, ["Shop.Example", "::1", "shop.example"]), CancellationToken.None);

        Assert.Same(settings, outcome.Value);
        Assert.Equal(("Shop", (bool?)false), (stored!.DisplayName, stored.SignUpOpen));
        Assert.Equal(["shop.example", "::1"], stored.CallbackHosts);
        await _audit.Received(1).RecordAsync(new OperatorAuditEvent(AuditKinds.ApplicationUpdated, Anchor), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_empty_list_clears_the_hosts_and_a_missing_one_keeps_them()
    {
        var changes = new List<ApplicationChanges>();
        _applications.UpdateAsync(Anchor, Arg.Do<ApplicationChanges>(changes.Add), Arg.Any<CancellationToken>())
            .Returns(new ApplicationSignInSettings(Anchor, null, true, [], true));

        await Handler().Handle(new UpdateApplicationCommand(Anchor.Value, CallbackHosts: []), CancellationToken.None);
        await Handler().Handle(new UpdateApplicationCommand(Anchor.Value, SignUpOpen: true), CancellationToken.None);

        Assert.Equal([[], null], changes.Select(change => change.CallbackHosts));
    }

    [Fact]
    public async Task Nothing_to_change_answers_the_settings_without_a_write_or_an_audit_row()
    {
        var settings = new ApplicationSignInSettings(Anchor, null, true, [], true);
        _applications.FindSignInSettingsAsync(Anchor, Arg.Any<CancellationToken>()).Returns(settings);

        var outcome = await Handler().Handle(new UpdateApplicationCommand(Anchor.Value), CancellationToken.None);

        Assert.Equal("shop.example", outcome.Value!.Name);
        await _applications.DidNotReceiveWithAnyArgs().UpdateAsync(default, default!, default);
        Assert.Empty(_audit.ReceivedCalls());
    }

    [Fact]
    public async Task Unknown_anchor_is_refused_and_not_audited()
    {
        var outcome = await Handler().Handle(new UpdateApplicationCommand(Anchor.Value, "Shop"), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
        Assert.Empty(_audit.ReceivedCalls());
    }

    [Fact]
    public void Name_shown_is_the_display_name_or_else_the_anchor()
    {
        Assert.Equal("Shop", new ApplicationSignInSettings(Anchor, "Shop", true, [], true).Name);
        Assert.Equal("shop.example", new ApplicationSignInSettings(Anchor, null, true, [], true).Name);
    }

    private UpdateApplicationHandler Handler() => new(_applications, _audit);
}

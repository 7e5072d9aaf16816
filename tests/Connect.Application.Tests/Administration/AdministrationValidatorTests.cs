using Connect.Application.Administration.CreateSector;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.Administration.RetireApplicationKey;
using Connect.Application.Administration.SetApplicationEnabled;
using Connect.Domain.Accounts;

namespace Connect.Application.Tests.Administration;

public sealed class AdministrationValidatorTests
{
    private static readonly AccountId Account = new(Guid.NewGuid());

    [Theory]
    [InlineData("a")]
    [InlineData("app.example.com")]
    [InlineData("my app")]
    [InlineData("ünïcode-🙂")]
    public void Printable_anchor_without_surrounding_whitespace_is_valid(string anchor)
    {
        var result = new SetApplicationEnabledCommandValidator().Validate(new SetApplicationEnabledCommand(anchor, true));

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Anchor_of_255_characters_is_valid_and_of_256_is_not()
    {
        var validator = new SetApplicationEnabledCommandValidator();

        var longest = validator.Validate(new SetApplicationEnabledCommand(new string('a', 255), true));
        var tooLong = validator.Validate(new SetApplicationEnabledCommand(new string('a', 256), true));

        Assert.True(longest.IsValid);
        Assert.Equal("the anchor must be at most 255 characters", Assert.Single(tooLong.Errors).ErrorMessage);
    }

    [Theory]
    [InlineData("", "the anchor must not be empty")]
    [InlineData("nul\0inside", "the anchor must not contain control characters")]
    [InlineData("line\nbreak", "the anchor must not contain control characters")]
    [InlineData("lone \ud800 surrogate", "the anchor must not contain control characters")]
    [InlineData(" leading", "the anchor must not begin or end with whitespace")]
    [InlineData("trailing ", "the anchor must not begin or end with whitespace")]
    [InlineData("\u00a0nbsp", "the anchor must not begin or end with whitespace")]
    [InlineData("   ", "the anchor must not be empty")]
    public void Empty_unprintable_or_padded_anchor_is_invalid_with_one_plain_message(string anchor, string message)
    {
        var result = new SetApplicationEnabledCommandValidator().Validate(new SetApplicationEnabledCommand(anchor, true));

        Assert.Equal(message, Assert.Single(result.Errors).ErrorMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("production")]
    [InlineData("Sector ü")]
    public void Sector_name_is_optional_and_may_be_any_printable_text(string? name)
    {
        var result = new CreateSectorCommandValidator().Validate(new CreateSectorCommand(name));

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("tab\there")]
    public void Blank_or_unprintable_sector_name_is_invalid(string name)
    {
        var result = new CreateSectorCommandValidator().Validate(new CreateSectorCommand(name));

        Assert.False(result.IsValid);
    }

    [Fact]
    public void Sector_name_over_255_characters_is_invalid()
    {
        var result = new CreateSectorCommandValidator().Validate(new CreateSectorCommand(new string('n', 256)));

        Assert.Equal("the sector name must be at most 255 characters", Assert.Single(result.Errors).ErrorMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("kid\0")]
    public void Empty_or_unprintable_key_id_is_invalid(string keyId)
    {
        var result = new RetireApplicationKeyCommandValidator().Validate(new RetireApplicationKeyCommand("app", keyId));

        Assert.False(result.IsValid);
    }

    [Fact]
    public void Key_id_over_128_characters_is_invalid()
    {
        var result = new RetireApplicationKeyCommandValidator().Validate(new RetireApplicationKeyCommand("app", new string('k', 129)));

        Assert.Equal("the key id must be at most 128 characters", Assert.Single(result.Errors).ErrorMessage);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1_000, 31_536_000)]
    public void Session_count_and_expiry_at_their_bounds_are_valid(int count, int expiresIn)
    {
        var result = new IssueSessionsCommandValidator().Validate(new IssueSessionsCommand(Account, "app", count, expiresIn));

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_001)]
    [InlineData(int.MaxValue)]
    public void Session_count_outside_1_to_1000_is_invalid(int count)
    {
        var result = new IssueSessionsCommandValidator().Validate(new IssueSessionsCommand(Account, "app", count, 60));

        Assert.Equal("the count must be between 1 and 1000", Assert.Single(result.Errors).ErrorMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(31_536_001)]
    public void Session_expiry_outside_1_second_to_365_days_is_invalid(int expiresIn)
    {
        var result = new IssueSessionsCommandValidator().Validate(new IssueSessionsCommand(Account, "app", 1, expiresIn));

        Assert.Equal(
            "the expiry must be between 1 and 31536000 seconds (365 days)", Assert.Single(result.Errors).ErrorMessage);
    }

    [Fact]
    public void Sessions_default_to_one_that_lives_30_days()
    {
        var defaults = (IssueSessionsCommand.DefaultCount, TimeSpan.FromSeconds(IssueSessionsCommand.DefaultExpiresInSeconds));

        Assert.Equal((1, TimeSpan.FromDays(30)), defaults);
    }
}

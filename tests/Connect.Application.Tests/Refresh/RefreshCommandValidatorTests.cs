using Connect.Application.Refresh;

namespace Connect.Application.Tests.Refresh;

/// <summary>docs/contract/sessions.md <c>/refresh</c> step 2: a non-empty string of at most 4 KiB.</summary>
public sealed class RefreshCommandValidatorTests
{
    private readonly RefreshCommandValidator _validator = new();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Missing_or_empty_token_is_rejected(string? token)
    {
        Assert.False(_validator.Validate(new RefreshCommand(token)).IsValid);
    }

    [Fact]
    public void Token_of_exactly_4_KiB_is_accepted_and_one_byte_more_is_rejected()
    {
        Assert.True(_validator.Validate(new RefreshCommand(new string('a', 4096))).IsValid);
        Assert.False(_validator.Validate(new RefreshCommand(new string('a', 4097))).IsValid);
    }

    [Fact]
    public void The_bound_is_utf8_bytes_not_characters()
    {
        // 2048 characters of two bytes each is 4 KiB; one more character is over it.
        Assert.True(_validator.Validate(new RefreshCommand(new string('é', 2048))).IsValid);
        Assert.False(_validator.Validate(new RefreshCommand(new string('é', 2049))).IsValid);
    }
}

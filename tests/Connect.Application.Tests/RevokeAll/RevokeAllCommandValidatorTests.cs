using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Applications;

namespace Connect.Application.Tests.RevokeAll;

public sealed class RevokeAllCommandValidatorTests
{
    private static readonly AuthenticatedApplication Caller =
        new(new AppId(Guid.NewGuid()), new ApplicationAnchor("app-a"), new SectorId(Guid.NewGuid()));

    private readonly RevokeAllCommandValidator _validator = new();

    [Theory]
    [InlineData("a")]
    [InlineData("Vq3xR8m2kP0sLz-_a9bYc1dE4fG7hJ6kL5mN8pQ2rS0")]
    [InlineData("sübject with spaces and ünïcode 🙂")]
    public void Printable_subject_up_to_255_characters_is_valid(string subject)
    {
        var result = _validator.Validate(new RevokeAllCommand(Caller, subject));

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Subject_of_exactly_255_characters_is_valid()
    {
        var result = _validator.Validate(new RevokeAllCommand(Caller, new string('s', 255)));

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("nul\0inside")]
    [InlineData("line\nbreak")]
    [InlineData("lone \ud800 surrogate")]
    public void Missing_blank_or_unprintable_subject_is_invalid(string? subject)
    {
        var result = _validator.Validate(new RevokeAllCommand(Caller, subject));

        Assert.False(result.IsValid);
    }

    [Fact]
    public void Subject_of_256_characters_is_invalid()
    {
        var result = _validator.Validate(new RevokeAllCommand(Caller, new string('s', 256)));

        Assert.False(result.IsValid);
    }
}

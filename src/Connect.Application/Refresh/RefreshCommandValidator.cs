using System.Text;
using Connect.Application.SessionTokens;
using FluentValidation;

namespace Connect.Application.Refresh;

/// <summary>Step 2 of docs/contract/sessions.md's <c>/refresh</c>: a non-empty string of at most 4 KiB, else <c>InvalidBody</c>.</summary>
public sealed class RefreshCommandValidator : AbstractValidator<RefreshCommand>
{
    public RefreshCommandValidator()
    {
        RuleFor(command => command.RefreshToken)
            .NotEmpty()
            // 4 KiB of the body's UTF-8, not of UTF-16 characters: what the contract bounds is bytes on the wire.
            .Must(token => token is not null && Encoding.UTF8.GetByteCount(token) <= SessionTokenLimits.MaxTokenLength);
    }
}

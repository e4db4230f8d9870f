namespace Cohort.Domain.Users;

/// <summary>What a username, a password and an email must be.</summary>
public static class UserRules
{
    public const int MinPasswordLength = 8;

    public const int MaxPasswordLength = 256;

    public const int MaxEmailLength = 254;

    public static readonly string UsernameRule =
        $"username must be 1-{Identifier.MaxLength} characters of lowercase letters, digits and -_.:@ (it is also the account id)";

    public static readonly string PasswordRule = $"password must be {MinPasswordLength}-{MaxPasswordLength} characters";

    public static readonly string EmailRule = $"email must be an address of at most {MaxEmailLength} characters, such as name@example.com";

    /// <summary>
    /// Lowercase only: account ids are case-sensitive, and "Alice" and "alice" as two users would be two accounts that
    /// people tell apart by case. Clients send the username as they like; <see cref="Normalize"/> lowercases it first.
    /// </summary>
    public static bool IsValidUsername(string? username) =>
        Identifier.IsValid(username) && !username!.Any(char.IsAsciiLetterUpper);

    public static string Normalize(string username) => username.ToLowerInvariant();

    public static bool IsValidPassword(string? password) =>
        password is { Length: >= MinPasswordLength and <= MaxPasswordLength };

    /// <summary>Only the shape: one '@' with text on each side, no spaces or control characters. Delivery proves the rest.</summary>
    public static bool IsValidEmail(string? email)
    {
        if (string.IsNullOrEmpty(email) || email.Length > MaxEmailLength || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }
        var at = email.IndexOf('@');
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1;
    }
}

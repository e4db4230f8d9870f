namespace Cohort.Domain;

/// <summary>Entity ids (account ids, ...) and request ids are 1 to 128 characters of letters, digits and "-_.:@".</summary>
public static class Identifier
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@'))
            {
                return false;
            }
        }
        return true;
    }
}

using System.Text;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>Notify types spelled as RFC 7296 and strongSwan's logs spell them (NO_PROPOSAL_CHOSEN).</summary>
internal static class NotifyNames
{
    public static string Of(NotifyType type)
    {
        var name = type.ToString();
        if (char.IsDigit(name[0])) return $"NOTIFY_{(ushort)type}";
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(name[i - 1])) sb.Append('_');
            else if (i > 0 && char.IsDigit(c) && !char.IsDigit(name[i - 1]) && name[i - 1] != 'v') sb.Append('_');
            sb.Append(char.ToUpperInvariant(c));
        }
        return sb.ToString();
    }
}

using System.Text;

namespace Petrel.Ike.Certificates;

/// <summary>
/// One "-----BEGIN LABEL----- ... -----END LABEL-----" block (RFC 7468), its label and decoded DER.
/// Written here rather than borrowed so that every malformation becomes a one-line reason.
/// </summary>
public sealed record PemBlock(string Label, byte[] Der, bool HasHeaders)
{
    /// <summary>Whether the bytes look like PEM text (optional whitespace, then "-----BEGIN ").</summary>
    public static bool LooksLikePem(ReadOnlySpan<byte> data)
    {
        int i = 0;
        // Skip a UTF-8 byte order mark and leading whitespace.
        if (data.StartsWith("\uFEFF"u8)) i = 3;
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        // A DER structure starts with a SEQUENCE tag; text (possibly with OpenSSL's "subject=" preamble) is PEM.
        return data.Length > i && data[i] != 0x30 && data[i..].IndexOf("-----BEGIN "u8) >= 0;
    }

    /// <summary>All blocks in the text; a reason instead when a block is unterminated or not Base64.</summary>
    public static bool TryParseAll(ReadOnlySpan<byte> data, out List<PemBlock> blocks, out string error)
    {
        blocks = [];
        error = "";
        string text = Encoding.ASCII.GetString(data);
        int pos = 0;
        while (true)
        {
            int begin = text.IndexOf("-----BEGIN ", pos, StringComparison.Ordinal);
            if (begin < 0) break;
            int labelEnd = text.IndexOf("-----", begin + 11, StringComparison.Ordinal);
            int lineEnd = text.IndexOf('\n', begin);
            if (labelEnd < 0 || (lineEnd >= 0 && labelEnd > lineEnd))
            {
                error = "PEM BEGIN line is not terminated by '-----'";
                return false;
            }
            string label = text[(begin + 11)..labelEnd];
            string endMarker = $"-----END {label}-----";
            // After the BEGIN line's closing dashes: searching from inside them let "-----BEGIN -----END -----"
            // end before its body began (found by fuzzing, issue 12).
            int end = text.IndexOf(endMarker, labelEnd + 5, StringComparison.Ordinal);
            if (end < 0)
            {
                error = $"PEM block '{label}' has no '{endMarker}' line";
                return false;
            }
            string body = text[(labelEnd + 5)..end];
            bool hasHeaders = false;
            var base64 = new StringBuilder();
            foreach (string raw in body.Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0) continue;
                // RFC 1421 headers (Proc-Type, DEK-Info) mark legacy OpenSSL encryption.
                if (line.Contains(':')) { hasHeaders = true; continue; }
                base64.Append(line);
            }
            byte[] der;
            try
            {
                der = Convert.FromBase64String(base64.ToString());
            }
            catch (FormatException)
            {
                error = $"PEM block '{label}' is not valid Base64";
                return false;
            }
            if (der.Length == 0)
            {
                error = $"PEM block '{label}' is empty";
                return false;
            }
            blocks.Add(new PemBlock(label, der, hasHeaders));
            pos = end + endMarker.Length;
        }
        if (blocks.Count == 0)
        {
            error = "no PEM block found";
            return false;
        }
        return true;
    }

    /// <summary>The block as PEM text with 64-column Base64 lines (RFC 7468 §2).</summary>
    public static string Encode(string label, ReadOnlySpan<byte> der)
    {
        string b64 = Convert.ToBase64String(der);
        var sb = new StringBuilder();
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (int i = 0; i < b64.Length; i += 64)
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }
}

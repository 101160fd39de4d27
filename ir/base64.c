/* base64.c: base64 (RFC 4648) and little-endian packing for the .qfm
 * payloads. Our own because the payloads need a strict decoder: a
 * corrupted file must be rejected with the offset of the bad character,
 * and the decoded size must be checked before anything is allocated. */
#include <string.h>

#include "xml_internal.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t qf_b64_len(size_t nbytes)
{
	return (nbytes + 2) / 3 * 4;
}

void qf_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = '=';
	}
	*out = 0;
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 0..63 for an alphabet character, 64 for '=', -1 otherwise. */
static int value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return 64;
	return -1;
}

static void describe(char *why, size_t whylen, unsigned char c, size_t at)
{
	if (c >= 0x21 && c < 0x7f)
		snprintf(why, whylen, "base64 has the invalid character '%c' at offset %zu", c, at);
	else
		snprintf(why, whylen, "base64 has the invalid byte 0x%02x at offset %zu", c, at);
}

int qf_b64_decode(const char *text, size_t len, uint8_t *out, size_t want, char *why, size_t whylen)
{
	/* First pass: check every character and count, so a length mismatch
	 * is found before a byte is written. */
	size_t chars = 0, pad = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (space((char)c))
			continue;
		int v = value(c);
		if (v < 0 || (v < 64 && pad)) {
			describe(why, whylen, c, i);
			return -1;
		}
		if (v == 64 && ++pad > 2) {
			snprintf(why, whylen, "base64 has more than two '=' at offset %zu", i);
			return -1;
		}
		chars++;
	}
	if (chars % 4) {
		snprintf(why, whylen, "base64 has %zu characters, not a multiple of 4 (truncated?)", chars);
		return -1;
	}
	size_t got = chars / 4 * 3 - pad;
	if (got != want) {
		snprintf(why, whylen, "base64 holds %zu bytes, expected %zu", got, want);
		return -1;
	}
	uint32_t acc = 0;
	int n = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int v = value((unsigned char)text[i]);
		if (v < 0)
			continue; /* white space, checked above */
		acc = acc << 6 | (uint32_t)(v & 63);
		if (++n < 4)
			continue;
		uint8_t b[3] = {(uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc};
		size_t take = want - o < 3 ? want - o : 3;
		/* Bits under the padding must be zero, or two spellings would
		 * give one value and the file would not be canonical. */
		if (take < 3 && ((take == 1 && (acc & 0xffff)) || (take == 2 && (acc & 0xff)))) {
			snprintf(why, whylen, "base64 padding has non-zero bits at offset %zu", i);
			return -1;
		}
		memcpy(out + o, b, take);
		o += take;
		acc = 0;
		n = 0;
	}
	QF_ASSERT(o == want);
	return 0;
}

void qf_le_put_f32(uint8_t *p, float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

float qf_le_get_f32(const uint8_t *p)
{
	uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	float f;
	memcpy(&f, &u, 4);
	return f;
}

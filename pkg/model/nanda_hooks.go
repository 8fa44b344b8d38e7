package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Hook names of Nanda's transformer, as TransformerLens names them. The
// network computes every value past the attention at "=" only (see Nanda),
// the one position that reaches the logits, so those hooks hold that
// position; the embeddings and the residual stream before the block hold all
// three positions (a, b, "=").
const (
	HookEmbed     = "hook_embed"                 // [batch, 3, d_model]: W_E[token]
	HookResidPre  = "blocks.0.hook_resid_pre"    // [batch, 3, d_model]: W_E[token] + W_pos
	HookPattern   = "blocks.0.attn.hook_pattern" // [batch, heads, 3]: "="'s attention over the positions
	HookZ         = "blocks.0.attn.hook_z"       // [batch, heads, d_head]: each head's value mix at "="
	HookAttnOut   = "blocks.0.hook_attn_out"     // [batch, d_model]: Σ_h z_h·W_O[h]
	HookResidMid  = "blocks.0.hook_resid_mid"    // [batch, d_model]
	HookMLPPre    = "blocks.0.mlp.hook_pre"      // [batch, d_mlp]
	HookMLPPost   = "blocks.0.mlp.hook_post"     // [batch, d_mlp]: ReLU(pre)
	HookMLPOut    = "blocks.0.hook_mlp_out"      // [batch, d_model]
	HookResidPost = "blocks.0.hook_resid_post"   // [batch, d_model]
	HookLogits    = "logits"                     // [batch, P]
)

// Hooks implements Hooked: the values of the forward pass that computes the
// logits (the same graph), and the embeddings of every position.
func (m *Nanda) Hooks(scope *gomlx.Scope, inputs *Node) []Hook {
	n := m.forward(scope, inputs)
	embed := gather(n.w["embed.W_E"], InsertAxes(n.tokens, -1)) // [batch, 3, d_model]
	return []Hook{
		{HookEmbed, embed},
		{HookResidPre, Add(embed, InsertAxes(n.w["pos_embed.W_pos"], 0))}, // [batch, 3, d_model]
		{HookPattern, TransposeAllDims(n.pattern, 0, 2, 1)},               // [batch, heads, 3]
		{HookZ, n.z},
		{HookAttnOut, n.attnOut},
		{HookResidMid, n.residMid},
		{HookMLPPre, n.pre},
		{HookMLPPost, n.post},
		{HookMLPOut, n.mlpOut},
		{HookResidPost, n.resid},
		{HookLogits, n.logits},
	}
}

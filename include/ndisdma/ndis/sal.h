/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/sal.h - the source annotation language (SAL 2 and the
 * older SAL 1 / __drv_ forms) that WDK driver source is written with.
 * They guide Microsoft's static analysers and mean nothing to a compiler,
 * so every one expands to nothing. Included by <ndisdma/ndis/types.h>.
 *
 * The SAL 1 names (__in, __out, ...) collide with identifiers some C++
 * standard library headers use; define NDISDMA_NO_SAL1 before <ndis.h> to
 * leave them out.
 */
#ifndef NDISDMA_NDIS_SAL_H
#define NDISDMA_NDIS_SAL_H

#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef UNALIGNED
#define UNALIGNED
#endif
#ifndef RESTRICTED_POINTER
#define RESTRICTED_POINTER
#endif
#ifndef CONST
#define CONST const
#endif

/* SAL 2 and the driver annotations */
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_z_
#define _In_opt_z_
#define _Out_z_
#define _Inout_z_
#define _Inout_opt_z_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Deref_out_
#define _Deref_out_opt_
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_z_
#define _Ret_valid_
#define _Must_inspect_result_
#define _Check_return_
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Post_invalid_
#define _Post_valid_
#define _Pre_valid_
#define _Pre_notnull_
#define _Post_notnull_
#define _Pre_maybenull_
#define _Post_maybenull_
#define _Pre_null_
#define _Post_null_
#define _Post_z_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Field_z_
#define _Points_to_data_
#define _Literal_
#define _Notliteral_
#define _Reserved_
#define _Const_
#define _Use_decl_annotations_
#define _Strict_type_match_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_ptr_invalid_
#define _Printf_format_string_
#define _Interlocked_operand_
#define _Interlocked_
#define _No_competing_thread_
#define _Benign_race_begin_
#define _Benign_race_end_
#define _Maybenull_
#define _Notnull_
#define _Valid_
#define _Notvalid_
#define _Callback_
#define _Function_ignore_lock_checking_(x)
#define _IRQL_requires_same_
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _IRQL_raises_(x)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Kernel_IoGetDmaAdapter_
#define _Kernel_requires_resource_held_(x)
#define _Kernel_requires_resource_not_held_(x)
#define _Kernel_acquires_resource_(x)
#define _Kernel_releases_resource_(x)
#define _Kernel_clear_do_init_(x)
#define _Dispatch_type_(x)
#define _IRQL_requires_(x)
#define _IRQL_requires_max_(x)
#define _IRQL_requires_min_(x)
#define _IRQL_saves_global_(k, o)
#define _IRQL_restores_global_(k, o)
#define _IRQL_always_function_min_(x)
#define _IRQL_always_function_max_(x)
#define _In_reads_(s)
#define _In_reads_opt_(s)
#define _In_reads_bytes_(s)
#define _In_reads_bytes_opt_(s)
#define _In_reads_z_(s)
#define _In_reads_or_z_(s)
#define _In_reads_to_ptr_(p)
#define _In_reads_to_ptr_opt_(p)
#define _Out_writes_(s)
#define _Out_writes_opt_(s)
#define _Out_writes_bytes_(s)
#define _Out_writes_bytes_opt_(s)
#define _Out_writes_to_(s, c)
#define _Out_writes_to_opt_(s, c)
#define _Out_writes_bytes_to_(s, c)
#define _Out_writes_bytes_to_opt_(s, c)
#define _Out_writes_all_(s)
#define _Out_writes_all_opt_(s)
#define _Out_writes_bytes_all_(s)
#define _Out_writes_bytes_all_opt_(s)
#define _Out_writes_z_(s)
#define _Out_writes_opt_z_(s)
#define _Inout_updates_(s)
#define _Inout_updates_opt_(s)
#define _Inout_updates_bytes_(s)
#define _Inout_updates_bytes_opt_(s)
#define _Inout_updates_z_(s)
#define _Inout_updates_to_(s, c)
#define _Inout_updates_bytes_to_(s, c)
#define _Inout_updates_all_(s)
#define _Inout_updates_bytes_all_(s)
#define _Outptr_result_bytebuffer_(s)
#define _Outptr_result_buffer_(s)
#define _Outptr_opt_result_bytebuffer_(s)
#define _Outptr_result_bytebuffer_maybenull_(s)
#define _Out_range_(l, h)
#define _In_range_(l, h)
#define _Deref_out_range_(l, h)
#define _Ret_range_(l, h)
#define _Field_range_(l, h)
#define _Pre_equal_to_(x)
#define _Post_equal_to_(x)
#define _Ret_writes_bytes_maybenull_(s)
#define _Ret_writes_maybenull_(s)
#define _Ret_writes_bytes_(s)
#define _Ret_writes_(s)
#define _Ret_writes_bytes_to_(s, c)
#define _Success_(e)
#define _Return_type_success_(e)
#define _Post_writable_byte_size_(s)
#define _Post_writable_size_(s)
#define _Post_readable_byte_size_(s)
#define _Post_readable_size_(s)
#define _Pre_writable_byte_size_(s)
#define _Pre_writable_size_(s)
#define _Pre_readable_byte_size_(s)
#define _Pre_readable_size_(s)
#define _Post_satisfies_(e)
#define _Pre_satisfies_(e)
#define _Satisfies_(e)
#define _Field_size_(s)
#define _Field_size_opt_(s)
#define _Field_size_bytes_(s)
#define _Field_size_bytes_opt_(s)
#define _Field_size_part_(s, c)
#define _Field_size_bytes_part_(s, c)
#define _Field_size_full_(s)
#define _Field_size_bytes_full_(s)
#define _Struct_size_bytes_(s)
#define _Analysis_assume_(e)
#define _Analysis_mode_(m)
#define _When_(c, a)
#define _At_(t, a)
#define _At_buffer_(t, i, b, a)
#define _Group_(a)
#define _On_failure_(a)
#define _Always_(a)
#define _Function_class_(x)
#define _Guarded_by_(x)
#define _Write_guarded_by_(x)
#define _Requires_lock_held_(x)
#define _Requires_lock_not_held_(x)
#define _Requires_no_locks_held_
#define _Acquires_lock_(x)
#define _Releases_lock_(x)
#define _Acquires_exclusive_lock_(x)
#define _Releases_exclusive_lock_(x)
#define _Acquires_shared_lock_(x)
#define _Releases_shared_lock_(x)
#define _Requires_exclusive_lock_held_(x)
#define _Requires_shared_lock_held_(x)
#define _Acquires_nonreentrant_lock_(x)
#define _Releases_nonreentrant_lock_(x)
#define _Create_lock_level_(x)
#define _Has_lock_kind_(x)
#define _Has_lock_level_(x)
#define _Lock_level_order_(a, b)
#define _Inexpressible_(x)
#define _Deref_pre_maybenull_
#define _Deref_post_maybenull_
#define _Deref_out_z_
#define _Deref_in_range_(l, h)
#define _Deref_inout_range_(l, h)
#define _Writable_bytes_(s)
#define _Writable_elements_(s)
#define _Readable_bytes_(s)
#define _Readable_elements_(s)
#define _Null_
#define _Notref_
#define _Pre_defensive_
#define _Post_defensive_
#define _Scanf_format_string_
#define _Param_(n)
#define _Must_inspect_impl_
#define _Translates_Win32_to_HRESULT_(x)
#define _Unchanged_(e)
#define _Old_(e)
#define _Curr_
#define _Size_is_(s)
#define _Out_writes_bytes_to_ptr_(p)
#define _Ret_
#define _In_defensive_(a)
#define _Out_defensive_(a)
#define _Inout_defensive_(a)
#define _Enum_is_bitflag_
#define _Post_equals_last_error_
#define _Pre_opt_valid_
#define _Post_opt_valid_
#define _Deref_pre_valid_
#define _Deref_post_valid_
#define __drv_aliasesMem
#define __drv_isObjectPointer
#define __drv_sameIRQL
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_isCancelIRQL
#define __drv_useCancelIRQL
#define __drv_inTry
#define __drv_notInTry
#define __drv_interlocked
#define __drv_floatSaved
#define __drv_floatRestored
#define __drv_floatUsed
#define __drv_nonConstant
#define __drv_constant
#define __drv_setsCancelIRQL
#define __drv_acquiresCancelSpinLock
#define __drv_releasesCancelSpinLock
#define __drv_mustHoldCancelSpinLock
#define __drv_neverHoldCancelSpinLock
#define __drv_requiresIRQL(x)
#define __drv_maxIRQL(x)
#define __drv_minIRQL(x)
#define __drv_setsIRQL(x)
#define __drv_raisesIRQL(x)
#define __drv_savesIRQLGlobal(k, o)
#define __drv_restoresIRQLGlobal(k, o)
#define __drv_functionClass(x)
#define __drv_dispatchType(x)
#define __drv_allocatesMem(x)
#define __drv_freesMem(x)
#define __drv_when(c, a)
#define __drv_arg(e, a)
#define __drv_in(a)
#define __drv_out(a)
#define __drv_clearDoInit(x)
#define __drv_valueIs(x)
#define __drv_at(e, a)
#define __drv_neverHold(x)
#define __drv_acquiresResource(x)
#define __drv_releasesResource(x)
#define __drv_mustHold(x)
#define __drv_preferredFunction(a, b)
#define __drv_reportError(x)
#define __drv_strictTypeMatch(x)
#define __drv_strictType(a, b)
#define __drv_formatString(x)
#define __drv_innerMustHoldGlobal(a, b)
#define __drv_innerNeverHoldGlobal(a, b)
#define __drv_mustHoldGlobal(a, b)
#define __drv_neverHoldGlobal(a, b)
#define __drv_acquiresResourceGlobal(a, b)
#define __drv_releasesResourceGlobal(a, b)
#define __drv_acquiresExclusiveResource(x)
#define __drv_releasesExclusiveResource(x)
#define __drv_maxFunctionIRQL(x)
#define __drv_minFunctionIRQL(x)
#define __drv_ret(x)
#define __drv_in_deref(a)
#define __drv_out_deref(a)
#define __drv_deref(a)
#define __drv_fun(a)
#define __drv_dispatchType_other
#define __drv_completionType(x)
#define __drv_callbackType(x)
#define __drv_requiresIRQLGlobal(a, b)
#define __drv_declspec(x)

#ifndef NDISDMA_NO_SAL1
#define __in
#define __out
#define __inout
#define __in_opt
#define __out_opt
#define __inout_opt
#define __deref_out
#define __deref_out_opt
#define __deref_inout
#define __deref_opt_out
#define __checkReturn
#define __nullterminated
#define __reserved
#define __callback
#define __in_z
#define __out_z
#define __inout_z
#define __in_opt_z
#define __success(x)
#define __bcount(x)
#define __ecount(x)
#define __field_bcount(x)
#define __field_ecount(x)
#define __in_bcount(x)
#define __out_bcount(x)
#define __in_ecount(x)
#define __out_ecount(x)
#define __inout_bcount(x)
#define __inout_ecount(x)
#define __out_bcount_opt(x)
#define __in_bcount_opt(x)
#define __in_ecount_opt(x)
#define __out_ecount_opt(x)
#define __inout_bcount_opt(x)
#define __inout_ecount_opt(x)
#define __out_bcount_part(a, b)
#define __out_ecount_part(a, b)
#define __out_bcount_full(x)
#define __out_ecount_full(x)
#define __inout_bcount_part(a, b)
#define __deref_out_bcount(x)
#define __deref_out_ecount(x)
#define __field_range(l, h)
#define __in_range(l, h)
#define __out_range(l, h)
#define __deref_out_range(l, h)
#define __analysis_assume(e)
#define __inner_callback
#define __format_string
#define __notnull
#define __maybenull
#define __readonly
#define __valid
#define __post
#define __pre
#define __deref
#define __exceptthat
#define __override
#define __typefix(x)
#define __in_xcount(x)
#define __out_xcount(x)
#endif

#endif
